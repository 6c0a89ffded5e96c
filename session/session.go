// Package session is the dashboard's root: the model of one tenant at a
// time, and the switch from one tenant to another. A switch opens the new
// tenant first, so a refused token or a silent engine keeps the current
// one; once it answers, the old tenant's connection and feeds are closed,
// which ends its requests, and a new model takes the old one's place. An
// epoch on every message a Cmd returns keeps the old model's late answers
// out of the new one: nothing of the old tenant is shown again.
package session

import (
	"context"
	"reflect"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/model"
)

// OpenTimeout bounds opening a tenant: dialling and the engine's proof
// that it answers and accepts the token.
const OpenTimeout = 5 * time.Second

// Tenant is one open tenant: what the model reads it through, and how to
// let go of it.
type Tenant struct {
	Engine engine.Engine
	Feeds  model.Feeds // nil runs on polls alone
	Close  func()      // ends its requests and feeds; nil when nothing to close
}

// Opener opens a profile's tenant and proves it answers, within ctx.
type Opener func(ctx context.Context, p engine.Profile) (Tenant, error)

// Builder makes the model of an open tenant.
type Builder func(Tenant) model.Model

// App is the root tea.Model: the current tenant's model, and the switch.
type App struct {
	model model.Model
	close func()
	epoch uint64 // bumped by every switch; tags the messages of Cmds
	open  Opener
	build Builder
	size  tea.WindowSizeMsg // the last, for a new model
	want  uint64            // the switch awaited; a later one supersedes it
}

// New starts on the tenant t, already open.
func New(t Tenant, open Opener, build Builder) App {
	return App{model: build(t), close: t.Close, open: open, build: build}
}

// Close lets go of the current tenant; for the end of the program.
func (a App) Close() {
	if a.close != nil {
		a.close()
	}
}

// Init starts the first model.
func (a App) Init() tea.Cmd { return tag(a.epoch, a.model.Init()) }

// View is the current model's.
func (a App) View() string { return a.model.View() }

// tagged is a message of a Cmd of the model of an epoch.
type tagged struct {
	epoch uint64
	msg   tea.Msg
}

// openedMsg is the answer of a switch's open.
type openedMsg struct {
	want    uint64
	profile engine.Profile
	tenant  Tenant
	err     error
}

// Update routes a message: an old epoch's is dropped, a switch is opened
// here, the rest goes to the model.
func (a App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if t, ok := msg.(tagged); ok {
		if t.epoch != a.epoch {
			return a, nil // an answer for a tenant let go of
		}
		msg = t.msg
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.size = msg
	case model.SwitchMsg:
		a.want++
		return a, openCmd(a.open, a.want, msg.Profile)
	case openedMsg:
		return a.opened(msg)
	}
	return a.forward(msg)
}

func (a App) forward(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := a.model.Update(msg)
	a.model = next.(model.Model)
	return a, tag(a.epoch, cmd)
}

// opened puts a new model on the opened tenant, or tells the current one
// why it could not be.
func (a App) opened(msg openedMsg) (tea.Model, tea.Cmd) {
	if msg.want != a.want {
		return a, closeCmd(msg.tenant.Close) // superseded by a later switch
	}
	if msg.err != nil {
		return a.forward(model.SwitchFailedMsg{Profile: msg.profile, Err: msg.err})
	}
	old := a.close
	a.epoch++
	a.model, a.close = a.build(msg.tenant), msg.tenant.Close
	cmds := []tea.Cmd{closeCmd(old), tag(a.epoch, a.model.Init())}
	if a.size.Width > 0 {
		next, cmd := a.model.Update(a.size)
		a.model = next.(model.Model)
		cmds = append(cmds, tag(a.epoch, cmd))
	}
	return a, tea.Batch(cmds...)
}

func openCmd(open Opener, want uint64, p engine.Profile) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), OpenTimeout)
		defer cancel()
		t, err := open(ctx, p)
		return openedMsg{want: want, profile: p, tenant: t, err: err}
	}
}

// closeCmd lets go of a tenant off the Update goroutine: closing a
// connection may wait on the network.
func closeCmd(close func()) tea.Cmd {
	if close == nil {
		return nil
	}
	return func() tea.Msg { close(); return nil }
}

// teaPkg is where the runtime's own messages are declared.
var teaPkg = reflect.TypeOf(tea.QuitMsg{}).PkgPath()

var cmdType = reflect.TypeOf(tea.Cmd(nil))

// tag makes cmd's message say which epoch asked for it. The runtime's own
// messages (quit, batches, sequences, screen modes) reach it as they are,
// with the Cmds of a batch or a sequence tagged in turn.
func tag(epoch uint64, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg { return tagMsg(epoch, cmd()) }
}

func tagMsg(epoch uint64, msg tea.Msg) tea.Msg {
	if msg == nil {
		return nil
	}
	t := reflect.TypeOf(msg)
	if t.PkgPath() != teaPkg {
		return tagged{epoch: epoch, msg: msg}
	}
	if t.Kind() == reflect.Slice && t.Elem() == cmdType {
		v := reflect.ValueOf(msg)
		out := reflect.MakeSlice(t, v.Len(), v.Len())
		for i := range v.Len() {
			c, _ := v.Index(i).Interface().(tea.Cmd)
			out.Index(i).Set(reflect.ValueOf(tag(epoch, c)))
		}
		return out.Interface()
	}
	return msg
}
