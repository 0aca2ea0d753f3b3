package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/renders"
)

// Answers built from data that rarely changes (the directory's lists,
// the catalogue) are kept and sent again to callers with the same view of
// the data (directory.Service.View), who are told exactly the same.

// keptKey names an answer: the operation, the caller's view of its data,
// and the question asked.
func keptKey(op, view string, r *http.Request) string {
	return op + "\x00" + view + "\x00" + r.URL.Path + "?" + r.URL.Query().Encode()
}

// sendKept sends the answer kept under key, if there is one.
func (s *server) sendKept(w http.ResponseWriter, key string) bool {
	e, ok := s.renders.Get(key)
	if !ok {
		return false
	}
	sendJSONBytes(w, http.StatusOK, e.Body)
	return true
}

// writeKept encodes v, keeps it under key and sends it.
func (s *server) writeKept(w http.ResponseWriter, key string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return errs.Internalf(err, "encode response")
	}
	s.renders.Put(key, renders.Entry{Body: b.Bytes()})
	sendJSONBytes(w, http.StatusOK, b.Bytes())
	return nil
}

func sendJSONBytes(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	// A failed write means the client went away; there is no one to tell.
	_, _ = w.Write(body)
}
