package client

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/hatchtop/hatchtop/engine"
)

// envProfileFile overrides the profiles file's name, as for the hatchet CLI.
const envProfileFile = "HATCHET_CLI_PROFILE_FILE_NAME"

// profile is one entry of the hatchet CLI's profiles file.
type profile struct {
	key      string // the map key; the CLI (viper) writes it lowercased
	name     string // the name as the user typed it
	token    string
	tenantID string
	apiURL   string
	hostPort string
	tls      string
	// hatchtop's own fields, which the CLI neither writes nor reads
	rootCAFile, certFile, keyFile, serverName string
}

// profiles is the parsed file, profiles sorted by key.
type profiles struct {
	path     string
	fallback string // defaultprofile
	profiles []profile
}

// profilesPath follows the CLI: ~/.hatchet/<name>, the name from the
// environment, else from ~/.hatchet/config.yaml, else profiles.yaml.
func profilesPath(home string, env func(string) string) string {
	dir := filepath.Join(home, ".hatchet")
	name := env(envProfileFile)
	if name == "" {
		if data, err := os.ReadFile(filepath.Join(dir, "config.yaml")); err == nil {
			var m map[string]any
			if yaml.Unmarshal(data, &m) == nil {
				name = str(lowerKeys(m)["profilefilename"])
			}
		}
	}
	if name == "" {
		name = "profiles.yaml"
	}
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

// readProfiles reads the profiles file. Keys are matched case-insensitively
// because the CLI lowercases them (tenantId is written as tenantid).
func readProfiles(home string, env func(string) string) (profiles, error) {
	if home == "" {
		return profiles{}, errors.New("no home directory to find ~/.hatchet/profiles.yaml in")
	}
	pf := profiles{path: profilesPath(home, env)}
	data, err := os.ReadFile(pf.path)
	if errors.Is(err, fs.ErrNotExist) {
		return pf, fmt.Errorf("no profiles file at %s", printable(pf.path))
	}
	if err != nil {
		return pf, fmt.Errorf("read profiles: %w", err)
	}
	var top map[string]any
	if err := yaml.Unmarshal(data, &top); err != nil {
		return pf, fmt.Errorf("%s is not valid YAML", printable(pf.path))
	}
	top = lowerKeys(top)
	pf.fallback = str(top["defaultprofile"])
	all, _ := top["profiles"].(map[string]any)
	for key, v := range all {
		m, _ := v.(map[string]any)
		m = lowerKeys(m)
		pf.profiles = append(pf.profiles, profile{
			key:      key,
			name:     str(m["name"]),
			token:    strings.TrimSpace(str(m["token"])),
			tenantID: str(m["tenantid"]),
			apiURL:   str(m["apiserverurl"]),
			hostPort: str(m["grpchostport"]),
			tls:      str(m["tlsstrategy"]),

			rootCAFile: str(m["tlsrootcafile"]),
			certFile:   str(m["tlscertfile"]),
			keyFile:    str(m["tlskeyfile"]),
			serverName: str(m["tlsservername"]),
		})
	}
	sort.Slice(pf.profiles, func(i, j int) bool { return pf.profiles[i].key < pf.profiles[j].key })
	return pf, nil
}

// find matches a profile by key, then by key or name ignoring case.
func (pf profiles) find(name string) (profile, bool) {
	for _, p := range pf.profiles {
		if p.key == name {
			return p, true
		}
	}
	for _, p := range pf.profiles {
		if strings.EqualFold(p.key, name) || strings.EqualFold(p.name, name) {
			return p, true
		}
	}
	return profile{}, false
}

// lookup is find with an error that lists what exists.
func (pf profiles) lookup(name string) (profile, error) {
	if p, ok := pf.find(name); ok {
		return p, nil
	}
	if len(pf.profiles) == 0 {
		return profile{}, fmt.Errorf("unknown profile %q: %s has no profiles", name, printable(pf.path))
	}
	return profile{}, fmt.Errorf("unknown profile %q (available: %s)", name, strings.Join(pf.names(), ", "))
}

// implicit is the profile to use when none was asked for: the default
// one, or the only one.
func (pf profiles) implicit() (profile, bool) {
	if pf.fallback != "" {
		if p, ok := pf.find(pf.fallback); ok {
			return p, true
		}
	}
	if len(pf.profiles) == 1 {
		return pf.profiles[0], true
	}
	return profile{}, false
}

func (pf profiles) names() []string {
	out := make([]string, 0, len(pf.profiles))
	for _, p := range pf.profiles {
		out = append(out, printable(p.display()))
	}
	return out
}

func (p profile) display() string { return first(p.name, p.key) }

func (p profile) settings() (settings, error) {
	name := p.display()
	if p.token == "" {
		return settings{}, fmt.Errorf("profile %q has no token", name)
	}
	return settings{
		token:     p.token,
		tokenName: fmt.Sprintf("the token of profile %q", name),
		tenant:    p.tenantID,
		hostPort:  p.hostPort,
		serverURL: p.apiURL,
		tls:       p.tls,
		tlsName:   fmt.Sprintf("profile %q tlsStrategy", name),
		profile:   name,

		rootCAFile: p.rootCAFile,
		certFile:   p.certFile,
		keyFile:    p.keyFile,
		serverName: p.serverName,
	}, nil
}

// printable quotes text from the file or the environment that would
// break an error's single line or reach the terminal as a control.
func printable(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

func lowerKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// str renders a scalar YAML value; a profile's values are all strings, but
// an unquoted one may have been read as a number or a time.
func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// ListProfiles is what the profile switcher offers: the environment's own
// config first when it has a token, then every profile of the CLI's file,
// sorted. A missing or broken file is said in Err and leaves the rest.
// Nothing of a token is returned, only what its claims say of the tenant.
func ListProfiles(in ConfigInput) Profiles {
	getenv := in.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	var out Profiles
	if tok := env(envToken); tok != "" {
		cl, _ := decodeClaims(tok)
		out.List = append(out.List, Profile{Name: engine.EnvironmentProfile, Env: true,
			TenantID: first(env(envTenantID), cl.Subject), APIURL: first(env(envServerURL), cl.ServerURL)})
	}
	pf, err := readProfiles(in.Home, env)
	out.Path, out.Err = pf.path, err
	for _, p := range pf.profiles {
		cl, _ := decodeClaims(p.token)
		out.List = append(out.List, Profile{Name: printable(p.display()), Key: p.key,
			TenantID: first(p.tenantID, cl.Subject), APIURL: first(p.apiURL, cl.ServerURL),
			Default: pf.fallback != "" && strings.EqualFold(pf.fallback, p.key)})
	}
	if err == nil && len(pf.profiles) == 0 {
		out.Err = fmt.Errorf("%s has no profiles", printable(pf.path))
	}
	return out
}
