package messaging

import "strings"

// Other domains that keep text in the engine's full-text index (the policy
// library) split it exactly as communications do, so that one query finds
// the same words in both and nothing typed reaches the query languages.

// SearchWords splits what a person typed into at most ten search words:
// letters, digits and marks, lower case.
func SearchWords(query string) []string { return searchWords(query) }

// SearchText is s as the full-text indexes hold it: its words, lower
// case, one space between.
func SearchText(s string) string { return strings.Join(words(s), " ") }

// FTSMatch is an FTS5 query for words: each must begin a word.
func FTSMatch(words []string) string { return ftsMatch(words) }

// TSQuery is a PostgreSQL to_tsquery('simple', …) argument for words:
// each must begin a word.
func TSQuery(words []string) string {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = w + ":*"
	}
	return strings.Join(terms, " & ")
}
