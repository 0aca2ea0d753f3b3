package web

import (
	"os"
	"regexp"
	"testing"
)

// The content of kept pages is served to every viewer with the same view,
// so it must not be drawn from the viewer: the frame (layout.html) is.
func TestKeptContentDoesNotShowTheViewer(t *testing.T) {
	viewerFields := regexp.MustCompile(`\.(Actor|Session|CSRF|Unread|Pending|CanSend|Flash|Demo)\b`)
	for _, name := range []string{"directory", "state", "framework", "provision"} {
		src, err := os.ReadFile("templates/" + name + ".html")
		if err != nil {
			t.Fatal(err)
		}
		if m := viewerFields.Find(src); m != nil {
			t.Errorf("templates/%s.html is kept and shared, but uses %s of the viewer", name, m)
		}
	}
}
