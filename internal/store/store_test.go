package store

import "testing"

func TestValues(t *testing.T) {
	tests := []struct {
		name       string
		engine     Engine
		rows, cols int
		want       string
	}{
		{"postgres numbers every placeholder", Postgres, 2, 3, "($1, $2, $3), ($4, $5, $6)"},
		{"sqlite leaves them anonymous", SQLite, 2, 2, "(?, ?), (?, ?)"},
		{"one row", Postgres, 1, 1, "($1)"},
		{"no rows", SQLite, 0, 4, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Values(tc.engine, tc.rows, tc.cols); got != tc.want {
				t.Errorf("Values = %q, want %q", got, tc.want)
			}
		})
	}
}
