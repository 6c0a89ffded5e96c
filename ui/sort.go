package ui

// Column is a list column the list can be sorted by.
type Column int

// The sortable columns (WORKFLOW and ON are not sort keys).
const (
	ColumnStatus    Column = colStatus
	ColumnTask      Column = colTask
	ColumnWait      Column = colWait
	ColumnRemaining Column = colRemaining
	ColumnAttempt   Column = colAttempt
	ColumnTimeout   Column = colTimeout
	ColumnElapsed   Column = colElapsed
)

// SortMark is the column the list is sorted by: its title gets "↑" (the
// values grow down the list) or "↓". The zero value is the default order,
// newest first, which has no column and shows no arrow.
type SortMark struct {
	On     bool
	Column Column
	Desc   bool
}

// keep makes room for the arrow and keeps the sorted column however
// narrow the terminal: an order by a column that is not on screen would
// read as no order at all.
func (s SortMark) keep(cols []column) {
	if !s.On {
		return
	}
	c := &cols[s.Column]
	c.drop = 0
	c.min = max(c.min, len(c.title)+1) // titles are ASCII
}

func (s SortMark) arrow(titles []string) {
	if !s.On {
		return
	}
	if s.Desc {
		titles[s.Column] += "↓"
	} else {
		titles[s.Column] += "↑"
	}
}
