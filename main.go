// Command hatchtop is a live terminal dashboard of a Hatchet tenant's
// durable task runs. This file only wires: flags and environment into a
// config, a client, and either a snapshot or the Bubble Tea program.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"github.com/hatchtop/hatchtop/attention"
	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/model"
	"github.com/hatchtop/hatchtop/session"
	"github.com/hatchtop/hatchtop/settings"
	"github.com/hatchtop/hatchtop/snapshot"
	"github.com/hatchtop/hatchtop/ui"
)

// Exit codes: 2 is for anything the user can fix in the command line or
// the environment, 1 for failures while running.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// dialTimeout is how long startup may take to reach the engine.
const dialTimeout = 5 * time.Second

type options struct {
	snapshot    bool
	json        bool
	profile     string
	since       time.Duration
	refresh     time.Duration
	logFile     string
	readOnly    bool
	timeoutWarn time.Duration
	finished    time.Duration // how long finished tasks stay listed
	configFile  string
	settings    settings.Settings
	notify      notifyFlag
}

// notifyFlag is --notify (every event wait) or --notify=SUBSTRINGS: a
// boolean flag that also takes a value, so the plain flag needs none.
type notifyFlag struct {
	set    bool // given on the command line
	on     bool
	filter string
}

func (f *notifyFlag) IsBoolFlag() bool { return true }

func (f *notifyFlag) String() string { return "" }

func (f *notifyFlag) Set(s string) error {
	f.set = true
	switch strings.ToLower(s) {
	case "true", "all":
		f.on, f.filter = true, ""
	case "false":
		f.on, f.filter = false, ""
	default:
		f.on, f.filter = true, s
	}
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if wantsVersion(args) {
		fmt.Fprintln(stdout, versionLine(debug.ReadBuildInfo()))
		return exitOK
	}
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "hatchtop: %v\n", err)
		return exitUsage
	}
	// The dashboard draws on a terminal; into a pipe or a file it would
	// draw its first frame and wait for keys forever. Say so before dialling.
	if !opts.snapshot && !isTerminal(stdout) {
		fmt.Fprintln(stderr, "hatchtop: stdout is not a terminal; the dashboard needs one (for a pipe or a file, use `hatchtop snapshot`)")
		return exitUsage
	}
	logger, closeLog, err := openLog(opts.logFile)
	if err != nil {
		fmt.Fprintf(stderr, "hatchtop: %v\n", err)
		return exitUsage
	}
	defer closeLog()

	c, err := connect(opts, logger)
	if err != nil {
		fmt.Fprintf(stderr, "hatchtop: %v\n", err)
		return exitUsage
	}
	if opts.snapshot {
		defer c.Close()
		return runSnapshot(c, opts, stdout, stderr)
	}
	return runTUI(c, opts, logger, stderr) // it closes the engine, or the one switched to
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	if len(args) > 0 && args[0] == "snapshot" {
		o.snapshot, args = true, args[1:]
	}
	fs := flag.NewFlagSet("hatchtop", flag.ContinueOnError)
	// The flag package prints the usage on every parse error; only --help
	// does here, and errors become one line from run.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&o.profile, "profile", "", "use this profile of ~/.hatchet/profiles.yaml")
	fs.DurationVar(&o.since, "since", 30*24*time.Hour, "how far back to look for active tasks by creation time (durable tasks sleep for days)")
	fs.DurationVar(&o.refresh, "refresh", 5*time.Second, "poll interval of the active list: new tasks and the rows on screen (finishes are pushed)")
	fs.StringVar(&o.logFile, "log-file", "", "write a debug log to this file")
	fs.BoolVar(&o.json, "json", false, "snapshot: print JSON instead of a table")
	fs.BoolVar(&o.readOnly, "read-only", false, "never change anything in the engine")
	fs.DurationVar(&o.timeoutWarn, "timeout-warning", 0, "mark waiting tasks whose time to timeout is under this (default 1m)")
	fs.DurationVar(&o.finished, "finished", 0, "how long a finished task stays in the list (default 10m)")
	fs.StringVar(&o.configFile, "config", "", "hatchtop's config file (default ~/.config/hatchtop/config.yaml)")
	fs.Var(&o.notify, "notify", "ring and notify the terminal when a new event wait opens; --notify=a,b only for waits whose label or event key holds a or b")
	fs.Bool("version", false, "print the version and commit and exit (as does: hatchtop version)") // answered by run, before the flags
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "usage: hatchtop [snapshot [--json]] [flags] | hatchtop version")
			fs.PrintDefaults()
			return o, err
		}
		return o, flagError(fs, err)
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q (hatchtop --help lists the flags)", fs.Arg(0))
	case o.since <= 0:
		return o, fmt.Errorf("--since must be positive, got %s", o.since)
	case o.refresh < 500*time.Millisecond:
		return o, fmt.Errorf("--refresh must be at least 500ms, got %s", o.refresh)
	case o.json && !o.snapshot:
		return o, errors.New("--json only applies to `hatchtop snapshot`")
	case o.timeoutWarn < 0:
		return o, fmt.Errorf("--timeout-warning must be positive, got %s", o.timeoutWarn)
	case o.finished < 0:
		return o, fmt.Errorf("--finished must be positive, got %s", o.finished)
	}
	home, _ := os.UserHomeDir()
	path, explicit := o.configFile, o.configFile != ""
	if !explicit {
		path = settings.DefaultPath(os.Getenv, home)
	}
	st, err := settings.Load(path, explicit)
	if err != nil {
		return o, err
	}
	o.settings = st
	o.readOnly = o.readOnly || st.ReadOnly
	if o.timeoutWarn == 0 {
		o.timeoutWarn = st.TimeoutWarn
	}
	if !o.notify.set {
		o.notify.on, o.notify.filter = st.Notify, st.NotifyFilter
	}
	if o.finished == 0 {
		o.finished = st.Finished
	}
	return o, nil
}

// The flag package's error texts, reworded into one line that names the
// flag as the user would type it.
var (
	flagUndefined = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	flagNoValue   = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	flagBadValue  = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]*): `)
)

func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if m := flagUndefined.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("unknown flag --%s (hatchtop --help lists the flags)", m[1])
	}
	if m := flagNoValue.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("--%s needs a value", m[1])
	}
	if m := flagBadValue.FindStringSubmatch(msg); m != nil {
		want := "a valid value"
		if f := fs.Lookup(m[2]); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				want = "true or false"
			} else if g, ok := f.Value.(flag.Getter); ok {
				if _, ok := g.Get().(time.Duration); ok {
					want = "a duration (like 90s, 5m or 24h)"
				}
			}
		}
		return fmt.Errorf("--%s: %q is not %s", m[2], m[1], want)
	}
	return fmt.Errorf("%s (hatchtop --help lists the flags)", strings.Join(strings.Fields(msg), " "))
}

// isTerminal reports whether w is a terminal (a file descriptor on one).
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(f.Fd())
}

// openLog logs to a file, never to the terminal the TUI owns.
func openLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil)), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log file: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { f.Close() }, nil
}

// configInput is where configs are read from: the environment and the
// hatchet CLI's profiles in the home directory.
func configInput() client.ConfigInput {
	home, _ := os.UserHomeDir()
	return client.ConfigInput{Getenv: os.Getenv, Home: home}
}

// connect loads the configuration, dials the engine and proves within
// dialTimeout that it answers and accepts the token.
func connect(o options, logger *slog.Logger) (*client.Client, error) {
	in := configInput()
	in.Profile = o.profile
	ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
	defer cancel()
	return open(ctx, in, o, logger)
}

// open is connect's work for a config input: the start's, or a switch's.
func open(ctx context.Context, in client.ConfigInput, o options, logger *slog.Logger) (*client.Client, error) {
	cfg, err := client.LoadConfig(in)
	if err != nil {
		return nil, err
	}
	logger.Info("config loaded", "config", cfg.String(), "read_only", o.readOnly, "settings", o.settings.Path)
	cfg.ReadOnly = o.readOnly
	c, err := client.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := c.Check(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func runSnapshot(e client.Engine, o options, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := snapshot.Take(ctx, e, time.Now().Add(-o.since), time.Now)
	if err == nil {
		if o.json {
			err = s.WriteJSON(stdout)
		} else {
			err = s.WriteTable(stdout)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "hatchtop: snapshot: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// tenant wraps an open client with its live feeds, as the session holds
// one: closing it ends both.
func tenant(c *client.Client, logger *slog.Logger) session.Tenant {
	feeds := client.NewFeeds(c, client.FeedOptions{Logf: func(format string, args ...any) {
		logger.Debug(fmt.Sprintf(format, args...))
	}})
	return session.Tenant{Engine: c, Feeds: feeds, Close: func() {
		feeds.Close()
		c.Close()
	}}
}

// switcher opens the tenant of a profile the switcher offers.
func switcher(o options, logger *slog.Logger) session.Opener {
	return func(ctx context.Context, p engine.Profile) (session.Tenant, error) {
		in := configInput()
		in.Profile, in.Environment = p.Key, p.Env
		logger.Info("switching", "profile", p.Name)
		c, err := open(ctx, in, o, logger)
		if err != nil {
			logger.Info("switch failed", "profile", p.Name, "err", err)
			return session.Tenant{}, err
		}
		return tenant(c, logger), nil
	}
}

func runTUI(c *client.Client, o options, logger *slog.Logger, stderr io.Writer) int {
	// Probe the terminal before Bubble Tea takes it over: the colour profile
	// and the background decide the adaptive colours.
	r := lipgloss.NewRenderer(os.Stdout, termenv.WithColorCache(true))
	r.SetHasDarkBackground(r.HasDarkBackground())
	styles, attn := ui.NewStyles(r), attentionDeps(o)
	profiles := func() engine.Profiles { return client.ListProfiles(configInput()) }
	build := func(t session.Tenant) model.Model {
		return model.New(model.Deps{
			Engine: t.Engine, Since: o.since, Refresh: o.refresh, Now: time.Now(),
			Styles: styles, Keys: o.settings.Keys,
			Feeds: t.Feeds, TimeoutWarn: o.timeoutWarn, ReadOnly: o.readOnly,
			Attention: attn,
			Finished:  o.finished,
			Profiles:  profiles,
		})
	}
	app := session.New(tenant(c, logger), switcher(o, logger), build)
	// Bubble Tea's own handler knows SIGINT and SIGTERM only; SIGHUP (the
	// terminal or tmux pane closing) would kill the process in the alternate
	// screen with the cursor hidden. Every one of them quits through the
	// program, which restores the terminal.
	p := tea.NewProgram(app, tea.WithAltScreen(), tea.WithoutSignalHandler(),
		// 20 frames a second is smooth for a dashboard; the default 60 wakes
		// the process three times as often for nothing while idle.
		tea.WithFPS(20))
	got := quitOnSignals(p, logger)
	final, err := p.Run()
	sig := got()
	if a, ok := final.(session.App); ok {
		a.Close() // the tenant on show at the end, the first or one switched to
	} else {
		app.Close()
	}
	if err != nil && !errors.Is(err, tea.ErrInterrupted) && sig == nil {
		logger.Error("program ended", "err", err)
		fmt.Fprintf(stderr, "hatchtop: %v\n", err)
		return exitFailed
	}
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s) // as a shell reports a process ended by s
	}
	return exitOK
}

// attentionDeps is --notify's wiring: off unless asked for and stdout is
// a terminal (bells and OSC sequences are for a person, never a file).
func attentionDeps(o options) *model.Attention {
	if !o.notify.on || !isTerminal(os.Stdout) {
		return nil
	}
	return &model.Attention{Filter: attention.ParseFilter(o.notify.filter), Terminal: attention.Detect(os.Getenv), Out: os.Stdout}
}

// quitOnSignals asks p to quit on SIGHUP, SIGTERM or SIGINT, and kills it
// (which restores the terminal too, skipping the last frame) if a second
// one comes before it has. The returned func stops listening and says
// which signal ended the program, if one did.
func quitOnSignals(p *tea.Program, logger *slog.Logger) func() os.Signal {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	done := make(chan struct{})
	first := make(chan os.Signal, 1)
	go func() {
		n := 0
		for {
			select {
			case s := <-ch:
				logger.Info("signal", "signal", s.String())
				if n++; n == 1 {
					first <- s
					p.Quit()
				} else {
					p.Kill()
				}
			case <-done:
				return
			}
		}
	}()
	return func() os.Signal {
		signal.Stop(ch)
		close(done)
		select {
		case s := <-first:
			return s
		default:
			return nil
		}
	}
}
