package taxii

import (
	"fmt"
	"net/http"

	"github.com/detente/detente/internal/i18n"
)

// lang writes what people read of an answer — an error's title and
// description, the messages of a status — in the request's language, as
// /api/v1 does: Accept-Language, else English. The machine-readable parts
// (http_status, error_code, ids, counts) never change. Without a
// catalogue everything stays in English.
type lang struct{ p *i18n.Printer }

func (s *Server) lang(r *http.Request) lang {
	if s.text == nil {
		return lang{}
	}
	return lang{s.text.Printer(i18n.Negotiate("", "", r.Header.Get("Accept-Language")))}
}

// header names the language of the answer; it depends on Accept-Language.
func (l lang) header(w http.ResponseWriter) {
	w.Header().Add("Vary", "Accept-Language")
	code := "en"
	if l.p != nil {
		code = l.p.Language().HTMLLang()
	}
	w.Header().Set("Content-Language", code)
}

// title is an error's title: the status's name, in po/taxii under the
// context "TAXII error".
func (l lang) title(status int) string {
	t, ok := titles[status]
	if !ok {
		return http.StatusText(status)
	}
	if l.p == nil {
		return t
	}
	return l.p.TC("TAXII error", t)
}

// known translates a service's English text where the catalogue has it,
// as a message or as the format that made it.
func (l lang) known(text string) string {
	if l.p == nil {
		return text
	}
	return l.p.Known(text)
}

func (l lang) knownFormat(format string, args []any) string {
	if l.p == nil {
		if len(args) == 0 {
			return format
		}
		return fmt.Sprintf(format, args...)
	}
	return l.p.KnownFormat(format, args...)
}
