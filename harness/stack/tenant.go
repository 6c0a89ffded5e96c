package stack

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// Tenant is a further tenant on a running stack, made by NewTenant. Its
// token sees only its own runs; the stack's Token and TenantID stay those
// of the tenant quickstart seeded.
type Tenant struct {
	ID    string // tenant id, the token's subject
	Name  string // the name given to NewTenant, also its slug
	Token string // API token (JWT) for this tenant only
}

// tenantName is what NewTenant accepts: a slug the engine takes as is.
var tenantName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// NewTenant creates another tenant on the running stack, mints an API
// token for it and registers the worker's task definitions in it, so that
// TriggerAs can start runs there. No worker serves the new tenant: its
// runs stay QUEUED. name (lowercase letters, digits and dashes) becomes the
// tenant's name and slug, and must not be in use already.
//
// On v0.105.0 this takes no REST session: `hatchet-admin seed` creates the
// tenant named by DEFAULT_TENANT_ID, DEFAULT_TENANT_SLUG and
// DEFAULT_TENANT_NAME when no tenant has that slug (making the seeded admin
// user its owner), and `hatchet-admin token create --tenant-id` signs a
// token for it. The engine is running meanwhile, so the tenant is given its
// live controller partition at once.
func (s *Stack) NewTenant(ctx context.Context, name string) (Tenant, error) {
	if !tenantName.MatchString(name) {
		return Tenant{}, fmt.Errorf("stack: new tenant %q: want lowercase letters, digits and dashes", name)
	}
	id, err := newUUID()
	if err != nil {
		return Tenant{}, fmt.Errorf("stack: new tenant %s: %w", name, err)
	}
	seed := s.engineCommand("hatchet-admin", "seed", "--config", s.configDir())
	seed.Env = append(seed.Env,
		"DEFAULT_TENANT_ID="+id,
		"DEFAULT_TENANT_SLUG="+name,
		"DEFAULT_TENANT_NAME="+name,
	)
	out, err := s.run(ctx, "tenant-"+name, seed)
	if err != nil {
		return Tenant{}, fmt.Errorf("stack: new tenant %s: seed: %w", name, err)
	}
	// seed says so when it creates the tenant, and silently does nothing
	// when the slug is taken.
	if !strings.Contains(out, "created tenant "+id) {
		return Tenant{}, fmt.Errorf("stack: new tenant %s: a tenant with that slug exists already", name)
	}
	out, err = s.run(ctx, "tenant-"+name, s.engineCommand("hatchet-admin", "token", "create",
		"--config", s.configDir(), "--tenant-id", id, "--name", "hatchtop-"+name))
	if err != nil {
		return Tenant{}, fmt.Errorf("stack: new tenant %s: token: %w", name, err)
	}
	t := Tenant{ID: id, Name: name, Token: lastLine(out)}
	sub, err := tokenSubject(t.Token)
	if err != nil {
		return Tenant{}, withLogTail("tenant-"+name, filepath.Join(s.LogDir, "tenant-"+name+".log"), err)
	}
	if sub != id {
		return Tenant{}, fmt.Errorf("stack: new tenant %s: the token is for tenant %s, not %s", name, sub, id)
	}
	if err := s.ensureNodeModules(ctx); err != nil {
		return Tenant{}, fmt.Errorf("stack: new tenant %s: %w", name, err)
	}
	if _, err := s.run(ctx, "tenant-"+name, quiet(s.scriptCommandAs(t.Token, "register.ts"))); err != nil {
		return Tenant{}, fmt.Errorf("stack: new tenant %s: register tasks: %w", name, err)
	}
	return t, nil
}

// EnvAs is Env with another tenant's token (Tenant.Token) in place of the
// stack's own.
func (s *Stack) EnvAs(token string) []string {
	env := s.Env()
	for i, kv := range env {
		if strings.HasPrefix(kv, "HATCHET_CLIENT_TOKEN=") {
			env[i] = "HATCHET_CLIENT_TOKEN=" + token
		}
	}
	return env
}

// TriggerAs is Trigger in the tenant whose token is given, e.g. a
// Tenant.Token from NewTenant; the task must be registered there (NewTenant
// does that), and without a worker for that tenant the run stays QUEUED.
func (s *Stack) TriggerAs(ctx context.Context, token, task string, input any) (string, error) {
	return s.trigger(ctx, token, task, input)
}

// newUUID returns a random (version 4) UUID in its text form.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
