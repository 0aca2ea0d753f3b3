// Package search turns what a person types into a list's search box into
// SQL both engines run the same way: every word must appear, in any of the
// searched columns, as a case-insensitive substring.
//
// It is a plain LIKE over lower-cased columns, so it reads every row the
// caller may see: fine for lists of hundreds or a few thousand rows, and the
// place to switch to the engines' full-text indexes when a list outgrows it.
// SQLite's lower() folds ASCII letters only, so there "ÉCOLE" is not found
// by "école"; PostgreSQL folds all of Unicode.
package search

import (
	"strings"

	"github.com/detente/detente/internal/validate"
)

const (
	// MaxLen bounds what may be typed, in characters.
	MaxLen = 100
	// MaxTerms bounds the words, each of which costs a condition.
	MaxTerms = 6
)

// Parse splits raw into lower-cased words. problem is a message for the
// field when raw cannot be searched for (control or invisible characters,
// invalid UTF-8, too long, too many words).
func Parse(raw string) (terms []string, problem string) {
	s, problem := validate.OneLine(raw, MaxLen)
	if problem != "" {
		return nil, problem
	}
	terms = strings.Fields(strings.ToLower(s))
	if len(terms) > MaxTerms {
		return nil, "use at most 6 words"
	}
	return terms, ""
}

// Pattern is the LIKE pattern finding term anywhere, with LIKE's wildcards
// and the escape character itself escaped; use it with ESCAPE '\'.
func Pattern(term string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(term) + "%"
}

// Any is the condition that the pattern in placeholder ph appears in one of
// cols, each lower-cased.
func Any(ph string, cols ...string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "LOWER(" + c + ") LIKE " + ph + ` ESCAPE '\'`
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}
