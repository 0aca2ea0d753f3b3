package web

import (
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/renders"
)

// A kept page is written in one language and must be served to readers
// of that language only: the French directory is never an Arabic
// reader's page.
func TestKeptPagesKeepTheirLanguage(t *testing.T) {
	cat, err := i18n.Load(i18n.ReportMisuse(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{app: app.Services{Text: cat}, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		renders: renders.New(1 << 20), badges: newBadges(), frames: newFrames(), pages: map[i18n.Language]map[string]*template.Template{}}
	const src = `{{define "layout.html"}}<html lang="{{.Lang.HTMLLang}}">{{if .Body}}{{.Body}}{{else}}{{template "content" .}}{{end}}</html>{{end}}` +
		`{{define "content"}}<p>{{t "Next page"}}</p>{{end}}`
	parsed := template.Must(template.New("kept").Funcs(langFuncs(cat.Printer(i18n.English))).Parse(src))
	for _, l := range i18n.Languages() {
		s.pages[l] = map[string]*template.Template{"page": template.Must(parsed.Clone()).Funcs(langFuncs(cat.Printer(l)))}
	}
	request := func(l i18n.Language) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/directory?q=cert", nil)
		r.AddCookie(&http.Cookie{Name: langCookie, Value: l.Code()})
		return withLanguage(r)
	}
	fr, ar := request(i18n.French), request(i18n.Arabic)
	if keptKey("page", "view", fr) == keptKey("page", "view", ar) {
		t.Fatal("the French and the Arabic page share a key")
	}
	if keptKey("page", "view", fr) != keptKey("page", "view", request(i18n.French)) {
		t.Fatal("the same question in the same language has two keys")
	}

	w := httptest.NewRecorder()
	s.renderKept(w, fr, "page", keptKey("page", "view", fr), page{})
	french := cat.Printer(i18n.French).T("Next page")
	if !strings.Contains(w.Body.String(), french) {
		t.Fatalf("French page: %s", w.Body)
	}
	w = httptest.NewRecorder()
	if s.serveKept(w, ar, "page", "", keptKey("page", "view", ar)) {
		t.Fatalf("the kept French page was served to an Arabic reader: %s", w.Body)
	}
	s.renderKept(w, ar, "page", keptKey("page", "view", ar), page{})
	if body := w.Body.String(); !strings.Contains(body, cat.Printer(i18n.Arabic).T("Next page")) || strings.Contains(body, french) || !strings.Contains(body, `lang="ar"`) {
		t.Fatalf("Arabic page: %s", body)
	}
	// Both are kept now, each for its own readers.
	for _, tc := range []struct {
		r    *http.Request
		want string
	}{{fr, french}, {ar, cat.Printer(i18n.Arabic).T("Next page")}} {
		w := httptest.NewRecorder()
		if !s.serveKept(w, tc.r, "page", "", keptKey("page", "view", tc.r)) || !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("kept page for %s: %s", langOf(tc.r), w.Body)
		}
	}
}
