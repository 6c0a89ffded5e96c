package stack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// pgSuperuser is the role initdb creates; trust auth needs no password.
const pgSuperuser = "postgres"

// startPostgres runs a throwaway Postgres: data in the stack directory,
// trust auth, loopback only, socket in /tmp, and a "hatchet" database.
func (s *Stack) startPostgres(ctx context.Context) error {
	cred, err := postgresCredential()
	if err != nil {
		return err
	}
	data, err := s.makeDataDir(cred)
	if err != nil {
		return err
	}
	if err := s.initdb(ctx, cred, data); err != nil {
		return err
	}
	if err := s.runPostgres(ctx, cred, data); err != nil {
		return err
	}
	_, err = s.run(ctx, "createdb", exec.Command(s.pgBin("createdb"),
		"-h", "127.0.0.1", "-p", strconv.Itoa(s.ports.postgres), "-U", pgSuperuser, "hatchet"))
	return err
}

func (s *Stack) pgBin(name string) string { return filepath.Join(s.opts.PostgresBin, name) }

func (s *Stack) checkPostgresBin() error {
	for _, name := range []string{"initdb", "postgres", "pg_isready", "createdb"} {
		if _, err := os.Stat(s.pgBin(name)); err != nil {
			return fmt.Errorf("no Postgres 15 (%w): install the Debian package postgresql-15 "+
				"or set HATCHTOP_POSTGRES_BIN to the directory holding initdb and postgres", err)
		}
	}
	return nil
}

// postgresCredential returns the user to run Postgres as: Postgres refuses
// to run as root, so root switches to the "postgres" system user.
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a \"postgres\" system user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// makeDataDir creates the data directory, owned by the Postgres user, and
// lets that user traverse the (otherwise private) stack directory.
func (s *Stack) makeDataDir(cred *syscall.Credential) (string, error) {
	data := filepath.Join(s.Dir, "pgdata")
	if err := os.Chmod(s.Dir, 0o711); err != nil {
		return "", fmt.Errorf("open up %s: %w", s.Dir, err)
	}
	if err := os.Mkdir(data, 0o700); err != nil {
		return "", fmt.Errorf("create data dir: %w", err)
	}
	if cred != nil {
		if err := os.Chown(data, int(cred.Uid), int(cred.Gid)); err != nil {
			return "", fmt.Errorf("chown data dir: %w", err)
		}
	}
	return data, nil
}

func (s *Stack) initdb(ctx context.Context, cred *syscall.Credential, data string) error {
	cmd := s.pgCommand(cred, "initdb", "-D", data, "--auth=trust", "-U", pgSuperuser,
		"--encoding=UTF8", "--no-sync")
	_, err := s.run(ctx, "initdb", cmd)
	return err
}

func (s *Stack) runPostgres(ctx context.Context, cred *syscall.Credential, data string) error {
	port := strconv.Itoa(s.ports.postgres)
	cmd := s.pgCommand(cred, "postgres", "-D", data, "-p", port, "-k", "/tmp",
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
		// Throwaway data: durability only costs time.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	p, err := s.spawn("postgres", cmd, nil)
	if err != nil {
		return err
	}
	p.stopSig = syscall.SIGINT // "fast" shutdown: do not wait for clients
	s.mu.Lock()
	s.postgres = p
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = waitFor(ctx, p, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
		err := exec.CommandContext(ctx, s.pgBin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", port).Run()
		return err == nil, err
	})
	if err != nil {
		return p.failure(err)
	}
	return nil
}

// pgCommand builds a Postgres command run as cred (nil: as ourselves), from
// a working directory that user can enter.
func (s *Stack) pgCommand(cred *syscall.Credential, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(s.pgBin(name), args...)
	cmd.Dir = s.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	return cmd
}

func (s *Stack) databaseURL() string {
	return fmt.Sprintf("postgresql://%s@127.0.0.1:%d/hatchet?sslmode=disable", pgSuperuser, s.ports.postgres)
}
