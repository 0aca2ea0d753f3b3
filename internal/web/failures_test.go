package web

import (
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/renders"
)

// TestFailureInTheReadersLanguage: when not even the error page can be
// written, the plain-text answer says so in the reader's language.
func TestFailureInTheReadersLanguage(t *testing.T) {
	cat, err := i18n.Load(i18n.ReportMisuse(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{app: app.Services{Text: cat}, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		renders: renders.New(1 << 20), badges: newBadges(), frames: newFrames(), pages: map[i18n.Language]map[string]*template.Template{}}
	for _, l := range []i18n.Language{i18n.English, i18n.French, i18n.Arabic} {
		t.Run(l.Code(), func(t *testing.T) {
			s.pages[l] = map[string]*template.Template{} // no page at all: render fails
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(&http.Cookie{Name: langCookie, Value: l.Code()})
			w := httptest.NewRecorder()
			s.render(w, withLanguage(r), http.StatusOK, "missing", page{})
			p := cat.Printer(l)
			body := w.Body.String()
			if w.Code != http.StatusInternalServerError || w.Header().Get("Content-Language") != l.HTMLLang() {
				t.Errorf("status %d, Content-Language %q", w.Code, w.Header().Get("Content-Language"))
			}
			for _, want := range []string{p.T("Something went wrong on our side"), p.T("The problem is recorded. Try again in a moment; if it keeps happening, tell the administrators of this installation.")} {
				if !strings.Contains(body, want) {
					t.Errorf("the answer lacks %q:\n%s", want, body)
				}
			}
		})
	}
}

// TestBadParameterInTheReadersLanguage: an address parameter no database
// can store is refused in the reader's language, naming the parameter
// and what is wrong with its value or its name.
func TestBadParameterInTheReadersLanguage(t *testing.T) {
	cat, err := i18n.Load(i18n.ReportMisuse(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		lang   i18n.Language
		values url.Values
		want   string
	}{
		{"a NUL in a value, in English", i18n.English, url.Values{"q": {"scan\x00"}, "level": {"policy"}},
			"The address parameter “q” contains a NUL character (0x00); remove it. Go back, correct it and try again."},
		{"a NUL in a value, in French", i18n.French, url.Values{"q": {"scan\x00"}},
			"Le paramètre «\u00a0q\u00a0» de l’adresse contient un caractère NUL (0x00)\u202f; supprimez-le. Revenez en arrière, corrigez-le et réessayez."},
		{"bytes that are not UTF-8 in a name, in Spanish", i18n.Spanish, url.Values{"q\xff": {"scan"}},
			"El nombre del parámetro «q\uFFFD» de la dirección no es un texto UTF-8 válido; envíe texto codificado en UTF-8. Vuelva atrás, corríjalo e inténtelo de nuevo."},
		{"a NUL in a value, in Chinese", i18n.Chinese, url.Values{"q": {"\x00"}},
			"页面地址中的参数“q”包含 NUL 字符（0x00）；请将其删除。请返回，更正后再试。"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := badParameter(cat.Printer(tc.lang), tc.values)
			if !errs.Is(err, errs.Malformed) {
				t.Fatalf("got %v", err)
			}
			if got := errs.MessageOf(err); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	if err := badParameter(cat.Printer(i18n.French), url.Values{"q": {"scan"}}); err != nil {
		t.Errorf("clean parameters refused: %v", err)
	}
}
