package session

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/model"
	"github.com/hatchtop/hatchtop/ui"
)

var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

var (
	alpha = engine.Profile{Name: "alpha", TenantID: "aaaaaaaa-0000-4000-8000-000000000001", APIURL: "http://alpha:8080"}
	beta  = engine.Profile{Name: "beta", TenantID: "bbbbbbbb-0000-4000-8000-000000000002", APIURL: "http://beta:8080"}
)

// tenantOf is a fake engine named after p, with one task of its own.
func tenantOf(p engine.Profile, taskName string, closed *atomic.Int32) (Tenant, *fake.Engine) {
	f := fake.New()
	f.SetInfo(client.Info{GRPCAddr: p.Name + ":7077", APIURL: p.APIURL, TenantID: p.TenantID, Profile: p.Name})
	f.SetTasks(durable.Task{ID: p.TenantID[:8] + "-task", RunID: p.TenantID[:8] + "-run", Name: taskName,
		WorkflowName: taskName, Status: durable.StatusRunning, Durable: true, Attempt: 1, CreatedAt: t0, StartedAt: t0})
	return Tenant{Engine: f, Close: func() { closed.Add(1) }}, f
}

func build(t Tenant) model.Model {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	return model.New(model.Deps{Engine: t.Engine, Since: time.Hour, Refresh: 2 * time.Second, Now: t0,
		Styles: ui.NewStyles(r), Keys: keymap.Default(), WholeList: true,
		Profiles: func() engine.Profiles { return engine.Profiles{List: []engine.Profile{alpha, beta}} },
		Tick:     func() tea.Cmd { return nil }})
}

// settle applies msg and runs every Cmd to completion, as the runtime
// would, but in order and on this goroutine.
func settle(t *testing.T, a App, msgs ...tea.Msg) App {
	t.Helper()
	queue := msgs
	for n := 0; len(queue) > 0; n++ {
		if n > 2000 {
			t.Fatal("message loop does not settle")
		}
		next, cmd := a.Update(queue[0])
		a, queue = next.(App), append(queue[1:], run(cmd)...)
	}
	return a
}

func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, run(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}

func key(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func start(t *testing.T, open Opener) (App, *atomic.Int32) {
	t.Helper()
	var closedA atomic.Int32
	ta, _ := tenantOf(alpha, "alpha-task", &closedA)
	a := New(ta, open, build)
	a = settle(t, a, tea.WindowSizeMsg{Width: 120, Height: 30})
	a = settle(t, a, run(a.Init())...)
	if v := a.View(); !strings.Contains(v, "alpha-task") || !strings.Contains(v, "▸ alpha ·") {
		t.Fatalf("alpha's list is not shown:\n%s", v)
	}
	return a, &closedA
}

func TestASwitchShowsTheNewTenantAndLetsGoOfTheOld(t *testing.T) {
	var closedB atomic.Int32
	tb, _ := tenantOf(beta, "beta-task", &closedB)
	var asked []string
	a, closedA := start(t, func(_ context.Context, p engine.Profile) (Tenant, error) {
		asked = append(asked, p.Name)
		return tb, nil
	})
	a = settle(t, a, key("P"))
	if v := a.View(); !strings.Contains(v, "profiles") || !strings.Contains(v, "beta") {
		t.Fatalf("the switcher is not shown:\n%s", v)
	}
	a = settle(t, a, key("j"), key("enter"))
	if len(asked) != 1 || asked[0] != "beta" {
		t.Fatalf("opened %v, want [beta]", asked)
	}
	v := a.View()
	if !strings.Contains(v, "▸ beta ·") || !strings.Contains(v, "beta-task") {
		t.Errorf("beta's list is not shown:\n%s", v)
	}
	if strings.Contains(v, "alpha") {
		t.Errorf("something of alpha is still shown:\n%s", v)
	}
	if closedA.Load() != 1 || closedB.Load() != 0 {
		t.Errorf("closed alpha %d times, beta %d times; want 1 and 0", closedA.Load(), closedB.Load())
	}
}

// The old model's answers still on their way when the switch lands (its
// first list, here) must not reach the new one.
func TestLateAnswersOfTheOldTenantAreDropped(t *testing.T) {
	var closedA, closedB atomic.Int32
	ta, _ := tenantOf(alpha, "alpha-task", &closedA)
	tb, _ := tenantOf(beta, "beta-task", &closedB)
	a := New(ta, func(context.Context, engine.Profile) (Tenant, error) { return tb, nil }, build)
	// alpha's first requests go out; their answers arrive after the switch
	next, cmd := a.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	a = next.(App)
	held := append(run(a.Init()), run(cmd)...) // alpha's list among them
	if len(held) < 2 {
		t.Fatalf("alpha asked for too little: %v", held)
	}
	a = settle(t, a, model.SwitchMsg{Profile: beta})
	a = settle(t, a, held...)
	v := a.View()
	if strings.Contains(v, "alpha-task") {
		t.Errorf("a late answer of alpha reached beta's model:\n%s", v)
	}
	if !strings.Contains(v, "beta-task") {
		t.Errorf("beta's list is not shown:\n%s", v)
	}
}

func TestAFailedSwitchKeepsTheTenant(t *testing.T) {
	a, closedA := start(t, func(context.Context, engine.Profile) (Tenant, error) {
		return Tenant{}, errors.New("the engine rejected the token")
	})
	a = settle(t, a, key("P")) // the list is read before the next key
	a = settle(t, a, key("j"), key("enter"))
	v := a.View()
	if !strings.Contains(v, "could not switch to beta: the engine rejected the token; still on alpha") {
		t.Errorf("no clear message:\n%s", v)
	}
	a = settle(t, a, key("esc"))
	if v := a.View(); !strings.Contains(v, "alpha-task") || !strings.Contains(v, "▸ alpha ·") {
		t.Errorf("alpha's list is gone:\n%s", v)
	}
	if closedA.Load() != 0 {
		t.Error("a failed switch closed the current tenant")
	}
}

// Two switches in a row: the first one's tenant, answered late, is
// closed rather than shown.
func TestASupersededSwitchIsLetGo(t *testing.T) {
	var closedB, closedC atomic.Int32
	tb, _ := tenantOf(beta, "beta-task", &closedB)
	gamma := engine.Profile{Name: "gamma", TenantID: "cccccccc-0000-4000-8000-000000000003"}
	tc, _ := tenantOf(gamma, "gamma-task", &closedC)
	a, _ := start(t, func(_ context.Context, p engine.Profile) (Tenant, error) {
		if p.Name == "beta" {
			return tb, nil
		}
		return tc, nil
	})
	next, first := a.Update(model.SwitchMsg{Profile: beta})
	a = next.(App)
	next, second := a.Update(model.SwitchMsg{Profile: gamma})
	a = next.(App)
	a = settle(t, a, run(second)...)
	a = settle(t, a, run(first)...)
	if v := a.View(); !strings.Contains(v, "gamma-task") || strings.Contains(v, "beta-task") {
		t.Errorf("the later switch should win:\n%s", v)
	}
	if closedB.Load() != 1 || closedC.Load() != 0 {
		t.Errorf("closed beta %d, gamma %d; want 1 and 0", closedB.Load(), closedC.Load())
	}
}

// The runtime's own messages reach it untagged; the Cmds inside a batch
// or a sequence are tagged in turn.
func TestTagLeavesTheRuntimeItsMessages(t *testing.T) {
	if _, ok := tag(3, tea.Quit)().(tea.QuitMsg); !ok {
		t.Error("quit was tagged")
	}
	mine := func() tea.Msg { return "answer" }
	for _, cmd := range []tea.Cmd{tea.Batch(mine, mine), tea.Sequence(mine, mine)} {
		msg := tag(3, cmd)()
		cmds := sliceOfCmds(msg)
		if len(cmds) != 2 {
			t.Fatalf("%T: not the runtime's slice of two Cmds", msg)
		}
		for _, c := range cmds {
			if tg, ok := c().(tagged); !ok || tg.epoch != 3 || tg.msg != "answer" {
				t.Errorf("%T: a Cmd inside was not tagged", msg)
			}
		}
	}
}
