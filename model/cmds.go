package model

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/engine"
)

// requestTimeout bounds every request so a slow engine cannot stack them up.
const requestTimeout = 10 * time.Second

// withTimeout is the context of one request.
func withTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), requestTimeout)
}

// Every Cmd below captures plain values, never the model: it runs on
// another goroutine while Update goes on.

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func fetchVersion(e engine.Engine) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		v, err := e.Version(ctx)
		return versionMsg{version: v, err: err}
	}
}

func fetchList(e engine.Engine, since time.Time) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		tasks, err := e.ListActive(ctx, since)
		return listMsg{tasks: tasks, err: err}
	}
}

func fetchLog(e engine.Engine, taskID string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		entries, err := e.EventLog(ctx, taskID)
		return logMsg{taskID: taskID, entries: entries, err: err}
	}
}

func fetchConfig(e engine.Engine, key, taskID string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		cfg, err := e.TaskConfig(ctx, taskID)
		return configMsg{key: key, taskID: taskID, cfg: cfg, err: err}
	}
}
