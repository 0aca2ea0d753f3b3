package web

import (
	"bytes"
	"html/template"
	"io"
	"log/slog"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/i18n"
)

// TestFrameIsTheLayout: a frame written from its kept shape is, byte for
// byte, what executing the layout gives, for every language, menu and
// role, and for values that escaping must change.
func TestFrameIsTheLayout(t *testing.T) {
	text, err := i18n.Load(i18n.ReportMisuse(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(app.Services{Text: text, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	awkward := []string{
		"", "Points of contact", `<script>alert("x")</script>`, "a+b & 'c' \x00 d", "نقاط الاتصال — France", "‮evil‬ title",
		"/directory?state=FR&level=technical", "javascript:alert(1)", "⁂⁂⁑⁂⁂", "x@例え.jp", "مستخدم@مثال.مصر",
	}
	actors := []actor.Actor{
		actor.Anonymous,
		{AccountID: "a1", Email: "sec@example.org", Role: actor.Secretariat},
		{AccountID: "a2", Email: "admin@example.fr", Role: actor.StateAdmin, State: "FR"},
		{AccountID: "a3", Email: "poc@example.fr", Role: actor.POC, State: "FR"},
		{AccountID: "a4", Email: "viewer@example.fr", Role: actor.Viewer, State: "FR"},
	}
	frames := newFrames()
	n := 0
	for _, l := range i18n.Languages() {
		for _, nav := range []string{"", "framework", "results", "directory", "messages", "checks", "admin", "account"} {
			for ai, a := range actors {
				for _, v := range awkward {
					n++
					p := page{Title: v, Nav: nav, Lang: l, Here: v, Actor: a, CSRF: v, Demo: n%2 == 0,
						Unread: n % 3, Pending: n % 4, Body: template.HTML("<p>content " + v + "</p>")}
					if n%5 != 0 {
						p.Flash = "Saved. " + v
					}
					if a.Authenticated() {
						p.Actor.Email = v + a.Email
					}
					set := s.pagesIn(l)
					var want bytes.Buffer
					if err := set["home"].ExecuteTemplate(&want, "layout.html", p); err != nil {
						t.Fatal(err)
					}
					f, err := frames.get(set["home"], &p)
					if err != nil {
						t.Fatal(err)
					}
					var got bytes.Buffer
					out := f.fill(text.Printer(l), &p, []byte(p.Body))
					if err := out.writeTo(&got); err != nil {
						t.Fatal(err)
					}
					if out.size() != got.Len() {
						t.Fatalf("size %d, wrote %d", out.size(), got.Len())
					}
					if got.String() != want.String() {
						t.Fatalf("%s %q actor %d value %q: the kept frame differs from the layout\n got: %s\nwant: %s", l, nav, ai, v, got.String(), want.String())
					}
				}
			}
		}
	}
}
