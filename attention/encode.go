package attention

import (
	"strconv"
	"strings"
)

// Terminal is what the terminal is known to do with a notification.
type Terminal struct {
	// OSC777 is urxvt's "notify" command, which some terminals also show
	// as a desktop notification (OSC 9 is sent to every terminal).
	OSC777 bool
}

// Detect decides from the environment whether the terminal is known to
// show OSC 777 notifications:
//   - TERM_PROGRAM=WezTerm or ghostty, TERM=xterm-ghostty (both terminals
//     document OSC 777 notify beside OSC 9);
//   - TERM=rxvt-unicode* (urxvt, where the sequence comes from: its notify
//     extension) and TERM=foot* (foot implements it);
//   - VTE_VERSION ≥ 4600: VTE terminals (GNOME Terminal, Tilix) with the
//     notification patch most distributions ship show it, and upstream VTE
//     from 0.46 ignores it without printing anything.
//
// Under tmux (TMUX set) it is off: those variables describe the terminal
// outside tmux, and tmux, which gets the bytes, drops an OSC it does not
// know. kitty (KITTY_WINDOW_ID) declined OSC 777 for its own OSC 99; it
// gets OSC 9 and the bell like every other terminal.
func Detect(getenv func(string) string) Terminal {
	if getenv("TMUX") != "" {
		return Terminal{}
	}
	prog, term := getenv("TERM_PROGRAM"), getenv("TERM")
	switch {
	case strings.EqualFold(prog, "WezTerm"), strings.EqualFold(prog, "ghostty"), term == "xterm-ghostty":
		return Terminal{OSC777: true}
	case strings.HasPrefix(term, "rxvt-unicode"), strings.HasPrefix(term, "foot"):
		return Terminal{OSC777: true}
	}
	if v, err := strconv.Atoi(getenv("VTE_VERSION")); err == nil && v >= 4600 {
		return Terminal{OSC777: true}
	}
	return Terminal{}
}

// Encode is what the terminal is sent for n: the bell, then OSC 9 with
// "title: body", then, where the terminal knows it, OSC 777 notify with
// title and body. Every string is BEL-terminated (the form every terminal
// that has these sequences accepts). The texts are cleaned by Notice (no
// ESC, BEL, C1 ST or other control can end the sequence early or start
// another), and ';', which separates OSC 777's fields, becomes ','.
func Encode(n Notice, t Terminal) []byte {
	title, body := n.Title(), n.Body()
	var b strings.Builder
	b.WriteByte('\a')
	// OSC 9's text starts with "hatchtop:", never a digit: ConEmu and
	// Windows Terminal read "9;<digit>;" as their own subcommands.
	b.WriteString("\x1b]9;" + title + ": " + body + "\a")
	if t.OSC777 {
		b.WriteString("\x1b]777;notify;" + fieldSafe(title) + ";" + fieldSafe(body) + "\a")
	}
	return []byte(b.String())
}

func fieldSafe(s string) string { return strings.ReplaceAll(s, ";", ",") }
