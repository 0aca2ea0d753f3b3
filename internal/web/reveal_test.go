package web_test

import (
	"html"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store"
)

// TestHiddenCharactersShownInCommunications: a body may hold bidirectional
// and zero-width characters (quoted text keeps them), but pages show them
// as markers rather than let them reorder what is read; subjects stored
// before they were refused are shown the same way.
func TestHiddenCharactersShownInCommunications(t *testing.T) {
	f := newFixture(t, store.SQLite)
	if _, err := f.app.DB.W.Exec(`UPDATE messages SET subject = $1, body = $2 WHERE id = $3`,
		"Invoice\u202Eexe.pdf\u202C", "Open the file\u2066 now\u2069, then\u200B reply.", f.msg.ID); err != nil {
		t.Fatal(err)
	}
	ke := f.signIn("kepoc")
	for _, path := range []string{"/threads/" + f.msg.ThreadID, "/messages"} {
		body := html.UnescapeString(ke.get(path).body)
		for _, r := range []string{"\u202E", "\u2066", "\u200B"} {
			if strings.Contains(body, r) {
				t.Errorf("%s carries the hidden character %q as is", path, r)
			}
		}
		if !strings.Contains(body, "Invoice⟨U+202E⟩exe.pdf⟨U+202C⟩") {
			t.Errorf("%s does not show the subject's hidden characters as markers", path)
		}
	}
	if body := html.UnescapeString(ke.get("/threads/" + f.msg.ThreadID).body); !strings.Contains(body, "Open the file⟨U+2066⟩ now⟨U+2069⟩, then⟨U+200B⟩ reply.") {
		t.Error("the thread does not show the body's hidden characters as markers")
	}
}
