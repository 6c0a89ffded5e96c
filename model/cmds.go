package model

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
)

// requestTimeout bounds every request so a slow engine cannot stack them up.
const requestTimeout = 10 * time.Second

// withTimeout is the context of one request.
func withTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), requestTimeout)
}

// request is every fetch's Cmd: one engine call under the request
// timeout, its answer turned into the message Update expects. A Cmd
// captures plain values, never the model: it runs on another goroutine
// while Update goes on.
func request[T any](call func(context.Context) (T, error), answer func(T, error) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		v, err := call(ctx)
		return answer(v, err)
	}
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func fetchVersion(e engine.Engine) tea.Cmd {
	return request(func(ctx context.Context) (string, error) { return e.Version(ctx) },
		func(v string, err error) tea.Msg { return versionMsg{version: v, err: err} })
}

func fetchList(e engine.Engine, since time.Time) tea.Cmd {
	return request(func(ctx context.Context) ([]durable.Task, error) { return e.ListActive(ctx, since) },
		func(tasks []durable.Task, err error) tea.Msg { return listMsg{tasks: tasks, err: err} })
}

func fetchLog(e engine.Engine, taskID string) tea.Cmd {
	return request(func(ctx context.Context) ([]durable.Entry, error) { return e.EventLog(ctx, taskID) },
		func(entries []durable.Entry, err error) tea.Msg {
			return logMsg{taskID: taskID, entries: entries, err: err}
		})
}

func fetchConfig(e engine.Engine, key, taskID string) tea.Cmd {
	return request(func(ctx context.Context) (durable.Config, error) { return e.TaskConfig(ctx, taskID) },
		func(cfg durable.Config, err error) tea.Msg {
			return configMsg{key: key, taskID: taskID, cfg: cfg, err: err}
		})
}
