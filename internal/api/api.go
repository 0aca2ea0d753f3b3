// Package api serves the JSON API under /api/v1 and its OpenAPI 3.1
// description. Handlers parse the request, call one service with the
// caller's actor and render the result; the services decide what the actor
// may see and do, so this package holds no authorization rules.
package api

import (
	"net/http"
	"strings"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/renders"
)

// prefix is where the caller mounts the API; routes are registered with
// their full path so the handler works without http.StripPrefix.
const prefix = "/api/v1"

// handler serves one route for an authenticated (or anonymous) caller. A
// returned error is rendered as the JSON error body; nothing may have been
// written to w before.
type handler func(w http.ResponseWriter, r *http.Request, a actor.Actor) error

type server struct {
	app app.Services
	mux *http.ServeMux
	// renders keeps answers built from data that rarely changes; see kept.go.
	renders *renders.Cache
}

// New returns the API handler, to be mounted at /api/v1/.
func New(a app.Services) http.Handler { return newServer(a) }

func newServer(a app.Services) *server {
	s := &server{app: a, mux: http.NewServeMux(), renders: renders.New(int(a.Config.RenderCacheBytes))}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.method+" "+prefix+rt.path, s.wrap(rt.h))
	}
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r); err != nil {
		s.fail(w, r, err)
		return
	}
	// mux.Handler finds the route without filling in path values, so a
	// matched request still goes through mux.ServeHTTP.
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	// No route: let the mux decide between 404, 405 (with its Allow
	// header) and a redirect to the clean path, but answer in JSON.
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		s.fail(w, r, &errs.Error{Code: errs.MethodNotAllowed, Message: r.Method + " is not allowed here; use " + rec.header.Get("Allow")})
	case http.StatusNotFound, 0:
		s.fail(w, r, errs.E(errs.NotFound, "no such API endpoint: %s %s", r.Method, r.URL.Path))
	default:
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
	}
}

// headerRecorder keeps what the mux's fallback handlers write, so that
// ServeHTTP can rewrite their plain-text bodies as JSON.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(b), nil
}
func (h *headerRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

// wrap authenticates the request and renders the handler's error.
func (s *server) wrap(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Vary", "Authorization")
		a, err := s.authenticate(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := h(w, r, a); err != nil {
			s.fail(w, r, err)
		}
	})
}

// authenticate turns the bearer token into the actor. No Authorization
// header means the anonymous visitor; a header that does not hold a valid
// token is refused outright rather than downgraded to anonymous, so a
// script with an expired token fails loudly instead of seeing less.
func (s *server) authenticate(r *http.Request) (actor.Actor, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return actor.Anonymous, nil
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return actor.Anonymous, &errs.Error{Code: errs.Unauthenticated, Message: `use "Authorization: Bearer <API token>"`, Err: errInvalidToken}
	}
	a, err := s.app.Access.TokenActor(r.Context(), strings.TrimSpace(secret))
	if errs.Is(err, errs.Unauthenticated) {
		return actor.Anonymous, &errs.Error{Code: errs.Unauthenticated, Message: errs.MessageOf(err), Err: errInvalidToken}
	}
	return a, err
}
