package ui

import "strings"

// ProfilesChromeHeight is the lines around the profiles table: the two
// header lines, the screen's title line and the footer.
const ProfilesChromeHeight = 4

// ProfileRow is one tenant the switcher offers. Names and addresses come
// from a file the user edits and are cleaned here like engine text.
type ProfileRow struct {
	Name       string
	Tenant     string // the tenant id; shown by its first 8 characters
	API        string
	Current    bool // the tenant on show
	Default    bool // the profiles file's defaultProfile
	Connecting bool // a switch to it waits for the engine's answer
	Selected   bool
}

var profileColumns = []column{
	{title: "PROFILE", min: 12, fair: 20, max: 32, weight: 2},
	{title: "TENANT", min: 8},
	{title: "API", min: 12, fair: 30, max: 60, weight: 3, drop: 1},
	{title: "", min: 21}, // "connecting… · default"
}

// ProfilesTable renders the profiles in exactly height lines: the column
// titles, then the rows from offset.
func ProfilesTable(rows []ProfileRow, offset, width, height int, empty string, st Styles) string {
	cells := make([][]string, len(rows))
	for r, row := range rows {
		var tags []string
		switch {
		case row.Connecting:
			tags = append(tags, "connecting…")
		case row.Current:
			tags = append(tags, "● current")
		}
		if row.Default {
			tags = append(tags, "default")
		}
		cells[r] = []string{Clean(row.Name), shortID(row.Tenant), Clean(row.API), strings.Join(tags, " · ")}
	}
	g := newGrid(profileColumns, cells, width, st)
	gutter, width := g.gutter, g.width
	var lines []string
	if len(rows) == 0 && empty != "" {
		lines = append(lines, st.Dim.Render(gutter+fit("  "+empty, width)))
	}
	for r, row := range rows {
		line := fit(joinWidths(cells[r], g.widths), width)
		switch {
		case row.Selected && st.Mono:
			lines = append(lines, "> "+st.Selected.Render(line))
		case row.Selected:
			lines = append(lines, st.Selected.Render(line))
		case row.Current:
			lines = append(lines, gutter+st.Live.Render(line))
		default:
			lines = append(lines, gutter+line)
		}
	}
	return g.frame(profileColumns, lines, offset, height, st)
}
