package ui

import "github.com/hatchtop/hatchtop/textsafe"

// The sanitiser lives in textsafe, which client shares; these are the
// names ui's callers (and snapshot) use.

// Clean is textsafe.Clean: engine text made safe for a terminal cell.
func Clean(s string) string { return textsafe.Clean(s) }

// IsControl is textsafe.IsControl: a C0 or C1 control, DEL included.
func IsControl(r rune) bool { return textsafe.IsControl(r) }

// Hidden is textsafe.Hidden: an invisible format or bidi control.
func Hidden(r rune) bool { return textsafe.Hidden(r) }

// isPlain is textsafe.Plain: printable ASCII only, the fast path.
func isPlain(s string) bool { return textsafe.Plain(s) }
