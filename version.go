package main

import (
	"runtime/debug"
	"strings"
)

// wantsVersion reports whether the command line asks for the version:
// `hatchtop version`, or --version anywhere before a "--". It is answered
// before flags, config and engine are looked at, so it needs no token.
func wantsVersion(args []string) bool {
	if len(args) == 1 && args[0] == "version" {
		return true
	}
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--version", "-version", "--version=true", "-version=true":
			return true
		}
	}
	return false
}

// versionLine is one line from the build information, as Go recorded it:
// the module version ("(devel)", or a pseudo-version whose "+dirty" Go
// adds for a modified tree), the VCS commit with its time and whether the
// tree was modified, and the Go version.
func versionLine(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "hatchtop (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(unknown)"
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	out := []string{"hatchtop", v}
	if rev != "" {
		out = append(out, "commit", rev)
		var notes []string
		if at != "" {
			notes = append(notes, at)
		}
		if modified {
			notes = append(notes, "modified")
		}
		if len(notes) > 0 {
			out = append(out, "("+strings.Join(notes, ", ")+")")
		}
	} else {
		out = append(out, "(no VCS commit recorded)")
	}
	if bi.GoVersion != "" {
		out = append(out, bi.GoVersion)
	}
	return strings.Join(out, " ")
}
