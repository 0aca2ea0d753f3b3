package taxii

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/metrics"
)

// The media types of TAXII 2.1 and STIX 2.1.
const (
	MediaTAXII = "application/taxii+json;version=2.1"
	MediaSTIX  = "application/stix+json;version=2.1"
)

// Tokens turns an API token into the account acting with it
// (access.Service.TokenActor).
type Tokens interface {
	TokenActor(ctx context.Context, secret string) (actor.Actor, error)
}

// handler serves one route for the authenticated (or anonymous) caller; a
// returned error becomes a TAXII error object.
type handler func(w http.ResponseWriter, r *http.Request, a actor.Actor) error

// Server is the HTTP edge of the service, mounted at Prefix.
type Server struct {
	svc    *Service
	tokens Tokens
	text   *i18n.Catalogue // nil: errors and statuses in English
	log    *slog.Logger
	mux    *http.ServeMux
}

// NewServer returns the TAXII handler. What people read of its errors and
// statuses is written in the request's language, from text (nil: English).
func NewServer(svc *Service, tokens Tokens, text *i18n.Catalogue, log *slog.Logger) *Server {
	s := &Server{svc: svc, tokens: tokens, text: text, log: log, mux: http.NewServeMux()}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.method+" "+Prefix+rt.path+"{$}", s.wrap(rt))
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := &recorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		s.fail(w, r, errs.E(errs.MethodNotAllowed, "%s is not allowed here; use %s", r.Method, rec.header.Get("Allow")))
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		// A path without its final slash: TAXII paths end in one.
		w.Header().Set("Location", rec.header.Get("Location"))
		w.WriteHeader(rec.status)
	default:
		s.fail(w, r, errs.E(errs.NotFound, "no TAXII endpoint here; discovery is at %s", Prefix))
	}
}

type recorder struct {
	header http.Header
	status int
}

func (h *recorder) Header() http.Header { return h.header }
func (h *recorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(b), nil
}
func (h *recorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

// errInvalidToken marks a credential that was given but is not good.
var errInvalidToken = errors.New("invalid token")

func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		metrics.SetRoute(r.Context(), r.Pattern)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Vary", "Authorization, Accept")
		if err := acceptable(r.Header.Values("Accept"), rt.objects); err != nil {
			s.fail(w, r, err)
			return
		}
		a, err := s.authenticate(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := rt.h(w, r, a); err != nil {
			s.fail(w, r, err)
		}
	})
}

// authenticate reads an API token as a bearer token, or as the password
// of HTTP Basic (any user name), which is what many TAXII clients offer.
// No credentials is the anonymous caller; bad ones are refused.
func (s *Server) authenticate(r *http.Request) (actor.Actor, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return actor.Anonymous, nil
	}
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	var secret string
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		secret = cred
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err == nil {
			_, secret, _ = strings.Cut(string(raw), ":")
		}
	}
	if secret == "" {
		return actor.Anonymous, &errs.Error{Code: errs.Unauthenticated, Message: `use "Authorization: Bearer <API token>", or HTTP Basic with the token as password`, Err: errInvalidToken}
	}
	a, err := s.tokens.TokenActor(r.Context(), secret)
	if errs.Is(err, errs.Unauthenticated) {
		return actor.Anonymous, &errs.Error{Code: errs.Unauthenticated, Message: errs.MessageOf(err), Err: errInvalidToken}
	}
	return a, err
}

// acceptable checks the Accept header: TAXII 2.1 (or, where the answer is
// STIX objects, STIX 2.1) JSON. No header takes the TAXII type.
func acceptable(values []string, objects bool) error {
	if strings.TrimSpace(strings.Join(values, "")) == "" {
		return nil
	}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err != nil || f == 0 {
					continue
				}
			}
			ver, hasVer := params["version"]
			switch {
			case mt == "*/*" || mt == "application/*":
				return nil
			case mt == "application/taxii+json" && (!hasVer || ver == "2.1"):
				return nil
			case objects && mt == "application/stix+json" && (!hasVer || ver == "2.1"):
				return nil
			}
		}
	}
	return &errs.Error{Code: notAcceptable, Message: "this server answers in " + MediaTAXII + "; ask for it in Accept"}
}

// notAcceptable is the 406 of a request whose Accept header names no type
// this server writes; errs has no code for it, the edge maps it.
const notAcceptable errs.Code = "not_acceptable"

// badFilter is a query string TAXII cannot read: 400, where a body the
// service refuses is 422.
const badFilter errs.Code = "bad_filter"

// filter reads the request's TAXII query parameters.
func filter(r *http.Request) (Filter, error) {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return Filter{}, &errs.Error{Code: badFilter, Message: "the query parameters cannot be read", Fields: errs.FieldsOf(err)}
	}
	return f, nil
}

// taxiiError is the TAXII 2.1 error message resource.
type taxiiError struct {
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	ErrorCode   string            `json:"error_code,omitempty"`
	HTTPStatus  string            `json:"http_status"`
	Details     map[string]string `json:"details,omitempty"`
}

var titles = map[int]string{
	http.StatusBadRequest:            "Bad request",
	http.StatusUnauthorized:          "Authentication required",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "Not found",
	http.StatusMethodNotAllowed:      "Method not allowed",
	http.StatusNotAcceptable:         "Not acceptable",
	http.StatusConflict:              "Conflict",
	http.StatusRequestEntityTooLarge: "Content too large",
	http.StatusUnsupportedMediaType:  "Unsupported media type",
	http.StatusUnprocessableEntity:   "Invalid content",
	http.StatusTooManyRequests:       "Too many requests",
	http.StatusInternalServerError:   "Internal error",
}

// fail writes err as a TAXII error object, with its status from the one
// mapping (errs.HTTPStatus).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := errs.HTTPStatus(err)
	switch errs.CodeOf(err) {
	case notAcceptable:
		status = http.StatusNotAcceptable
	case badFilter:
		status = http.StatusBadRequest
	}
	if status >= 500 {
		s.log.Error("taxii request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		challenge := `Bearer realm="detente TAXII"`
		if errors.Is(err, errInvalidToken) {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		w.Header().Add("WWW-Authenticate", `Basic realm="detente TAXII", charset="UTF-8"`)
	}
	l := s.lang(r)
	format, args := errs.TextOf(err)
	var details map[string]string
	if fields := errs.FieldsOf(err); len(fields) > 0 {
		details = make(map[string]string, len(fields))
		for k, v := range fields {
			details[k] = l.known(v)
		}
	}
	l.header(w)
	writeJSON(w, status, taxiiError{Title: l.title(status), Description: l.knownFormat(format, args), ErrorCode: string(errs.CodeOf(err)),
		HTTPStatus: strconv.Itoa(status), Details: details})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"title":"Internal error","http_status":"500"}`)
	}
	w.Header().Set("Content-Type", MediaTAXII)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// readBody reads a POST's content: TAXII 2.1 (an envelope) or STIX 2.1 (a
// bundle), at most the service's limit.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ver, hasVer := params["version"]
	if err != nil || (mt != "application/taxii+json" && mt != "application/stix+json") || (hasVer && ver != "2.1") {
		return nil, errs.E(errs.UnsupportedMedia, "send the objects as %s (an envelope) or %s (a bundle)", MediaTAXII, MediaSTIX)
	}
	limit := int64(s.svc.MaxContentLength())
	if r.ContentLength > limit {
		return nil, errs.E(errs.TooLarge, "the content is over the limit of %d bytes", limit)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errs.E(errs.TooLarge, "the content is over the limit of %d bytes", limit)
	}
	if err != nil {
		return nil, errs.Wrap(err, errs.Malformed, "the content could not be read")
	}
	return b, nil
}
