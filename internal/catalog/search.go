package catalog

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxQueryWords bounds the work one query can cause; real queries are a
// handful of words, and a pasted page should not cost more than a sentence.
const maxQueryWords = 32

// searchEntry holds a provision's searchable fields, folded once at load.
type searchEntry struct {
	id, paragraph, document, title, text string
}

func newSearchEntry(p Provision) searchEntry {
	var text strings.Builder
	text.WriteString(p.Text)
	var addItems func([]Item)
	addItems = func(items []Item) {
		for _, it := range items {
			text.WriteString("\n")
			text.WriteString(it.Text)
			addItems(it.Items)
		}
	}
	addItems(p.Items)
	return searchEntry{
		id:        fold(p.ID),
		paragraph: fold(p.Paragraph),
		document:  fold(p.Document),
		title:     fold(p.ShortTitle),
		text:      fold(text.String()),
	}
}

// fold lower-cases s, straightens typographic quotes and collapses white
// space, so that what people type matches what the UN typeset.
func fold(s string) string {
	s = strings.NewReplacer("“", `"`, "”", `"`, "‘", "'", "’", "'").Replace(s)
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// queryWords splits a query into folded words, dropping quotes and
// sentence punctuation around them but keeping "13(h)" or "norm-h" whole,
// and trims common English endings (see stem).
func queryWords(query string) []string {
	var words []string
	for _, w := range rawWords(query) {
		w = stem(w)
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	return words
}

// rawWords splits a folded query into at most maxQueryWords words.
func rawWords(query string) []string {
	var words []string
	for _, w := range strings.Fields(fold(query)) {
		if w = strings.Trim(w, `"',.;:!?`); w != "" {
			words = append(words, w)
		}
		if len(words) == maxQueryWords {
			break
		}
	}
	return words
}

// stem trims one common ending from a word of letters so that singular and
// plural, noun and verb meet: "vulnerability" and "vulnerabilities" both
// become "vulnerabilit", "attribute" becomes "attribut". Matching is by word
// prefix, so a stem only ever widens a search. Short words and words with
// digits or hyphens ("norm-h", "13(h)") are left alone.
func stem(w string) string {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return w
		}
	}
	for _, suffix := range []string{"ies", "ing", "es", "ed", "s", "y", "e"} {
		if base, ok := strings.CutSuffix(w, suffix); ok && utf8.RuneCountInString(base) >= 4 {
			return base
		}
	}
	return w
}

// Search returns the provisions in which every word of query occurs, in the
// id, paragraph, document symbol, short title, text or items, ignoring case.
// Words match the start of a word, after trimming common endings, so
// "attribute" finds "attribution" and "vulnerability" finds "vulnerabilities",
// but "ping" does not find "developing".
// Results are ranked: an exact id or paragraph beats a title match, which
// beats a text match, and the whole query as a phrase counts extra. Ties keep
// catalogue order. An empty query finds nothing.
func (c *Catalog) Search(query string) []Provision {
	words := queryWords(query)
	if len(words) == 0 {
		return nil
	}
	phrase := strings.Join(rawWords(query), " ")
	type hit struct{ i, score int }
	var hits []hit
	for i, e := range c.search {
		total := 0
		for _, w := range words {
			s := e.score(w)
			if s == 0 {
				total = 0
				break
			}
			total += s
		}
		if total == 0 {
			continue
		}
		if len(words) > 1 {
			if strings.Contains(e.title, phrase) {
				total += 6
			}
			if strings.Contains(e.text, phrase) {
				total += 3
			}
		}
		hits = append(hits, hit{i, total})
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return b.score - a.score })
	out := make([]Provision, len(hits))
	for k, h := range hits {
		out[k] = c.provisions[h.i].clone()
	}
	return out
}

// score weighs where w occurs in e; 0 means nowhere.
func (e searchEntry) score(w string) int {
	s := 0
	switch {
	case e.id == w || e.paragraph == w:
		s += 8
	case hasWordPrefix(e.id, w) || hasWordPrefix(e.paragraph, w) || hasWordPrefix(e.document, w):
		s += 3
	}
	if hasWordPrefix(e.title, w) {
		s += 4
	}
	if hasWordPrefix(e.text, w) {
		s++
	}
	return s
}

// hasWordPrefix reports whether w occurs in s at the start of a word. A w
// that itself starts with punctuation, such as "(h)", may occur anywhere.
func hasWordPrefix(s, w string) bool {
	if w == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(w)
	anywhere := !isWordRune(first)
	for from := 0; from <= len(s)-len(w); {
		i := strings.Index(s[from:], w)
		if i < 0 {
			return false
		}
		i += from
		if prev, _ := utf8.DecodeLastRuneInString(s[:i]); anywhere || i == 0 || !isWordRune(prev) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		from = i + size
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
