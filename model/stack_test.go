package model

// What is on top of the stack, for the tests that look inside a screen.

func formOf(m Model) *eventForm {
	f, _ := topIs[*eventForm](m)
	return f
}

func promptOf(m Model) *durationPrompt {
	p, _ := topIs[*durationPrompt](m)
	return p
}

func confirmOf(m Model) *pending {
	if c, ok := topIs[*confirmScreen](m); ok {
		return &c.p
	}
	return nil
}

func filtering(m Model) bool {
	_, ok := topIs[*filterScreen](m)
	return ok
}

func showingHelp(m Model) bool {
	_, ok := topIs[*helpScreen](m)
	return ok
}
