package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
)

// Count is n and the noun, plural when n is not one: "1 task", "3 tasks",
// "0 waits". Nouns ending in s, x, ch or sh take "es" ("2 matches").
func Count(n int, noun string) string {
	return strconv.Itoa(n) + " " + Plural(n, noun)
}

// Plural is the noun as it reads after the number n.
func Plural(n int, noun string) string {
	if n == 1 || noun == "" {
		return noun
	}
	for _, end := range []string{"s", "x", "ch", "sh"} {
		if strings.HasSuffix(noun, end) {
			return noun + "es"
		}
	}
	return noun + "s"
}

// WorkerText is how a worker reads: its name when the engine gave one, with
// the id's first eight characters to tell two of a name apart, else the id.
func WorkerText(name, id string) string {
	name, id = Clean(name), Clean(id)
	switch {
	case name == "":
		return id
	case id == "":
		return name
	}
	return name + " (" + shortID(id) + ")"
}

// EntryKindText is a durable event-log entry kind in plain words; the
// engine's own name is given once in TimelineNote.
func EntryKindText(kind string) string {
	k := Clean(kind)
	if rest, ok := strings.CutPrefix(k, "MEMO ×"); ok {
		if n, err := strconv.Atoi(rest); err == nil {
			return Count(n, "memo") // a fold of n memo entries
		}
	}
	switch k {
	case "RUN":
		return "child run"
	case "WAIT_FOR":
		return "wait"
	case "MEMO":
		return "memo"
	}
	return strings.ToLower(strings.ReplaceAll(k, "_", " "))
}

// EntryText is an entry's place in the durable log in plain words: "3",
// "3–6" for folded memos, with ", branch 2" once a replay started a new
// branch. ref is the model's "b1 n3" or "b1 n3-6"; anything else is shown
// as it is.
func EntryText(ref string) string { return entryText(ref, false) }

// entryText is EntryText, or with short the narrow form "3 b2" that
// TimelineNote explains.
func entryText(ref string, short bool) string {
	var branch, node, last int64
	ref = Clean(ref)
	n, _ := fmt.Sscanf(ref, "b%d n%d-%d", &branch, &node, &last)
	if n == 2 && strings.Contains(ref, "-n") {
		n, _ = fmt.Sscanf(ref, "b%d n%d-n%d", &branch, &node, &last)
	}
	if n < 2 {
		return ref
	}
	out := strconv.FormatInt(node, 10)
	if last > node {
		out += "–" + strconv.FormatInt(last, 10)
	}
	switch {
	case branch > 1 && short:
		out += " b" + strconv.FormatInt(branch, 10)
	case branch > 1:
		out += ", branch " + strconv.FormatInt(branch, 10)
	}
	return out
}

// TimelineNote is the line above the timeline that explains, once, the
// engine's words the rows leave out.
func TimelineNote(st Styles) string {
	// Most important first: the line is cut at narrow widths.
	note := "durable event log · # entry · b2: branch 2, from a replay · dimmed: replaced · " +
		"wait = WAIT_FOR, child run = RUN, memo = MEMO (a stored result)"
	if st.Mono {
		note = strings.Replace(note, "dimmed: replaced", "- replaced", 1)
	}
	return note
}

// FitHelp renders the enabled bindings as "key desc" hints in at most
// width cells, dropping whole hints from the end rather than cutting one.
func FitHelp(bindings []key.Binding, width int, st Styles) string {
	width = drawable(width)
	sep := st.Dim.Render(" • ")
	out, used := "", 0
	for _, b := range bindings {
		if !b.Enabled() || b.Help().Key == "" {
			continue
		}
		h := st.Key.Render(Clean(b.Help().Key)) + " " + st.Dim.Render(Clean(b.Help().Desc))
		w := safeWidth(h)
		if out != "" {
			w += 3
		}
		if used+w > width {
			break
		}
		if out != "" {
			out += sep
		}
		out += h
		used += w
	}
	return out
}

// FitHints fits an already rendered help line (bubbles help's short view:
// hints joined by " • ") to width cells by dropping whole hints from the
// end, so "esc clear filter" is shown whole or not at all.
func FitHints(help string, width int) string {
	if safeWidth(help) <= width {
		return help
	}
	for {
		i := strings.LastIndex(help, "•")
		if i < 0 {
			return "" // not even the first hint fits
		}
		help = help[:i]
		plain := strings.TrimRight(ansi.Strip(help), " ")
		if plain == "" {
			return ""
		}
		if safeWidth(plain) <= width {
			if strings.IndexByte(help, 0x1b) < 0 {
				return plain
			}
			return strings.TrimRight(help, " ") + "\x1b[m" // end the separator's style
		}
	}
}
