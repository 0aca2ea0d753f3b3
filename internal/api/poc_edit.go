package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
)

// pocEditIn is an edit: every field of the entry, and optionally the
// version being replaced, for clients that cannot set If-Match.
type pocEditIn struct {
	pocIn
	Version *int `json:"version"`
}

// editPOC replaces an entry. The caller must say which version it edited,
// so that two administrators editing at once cannot silently overwrite
// each other: a stale version gets 409, no version at all 428.
func (s *server) editPOC(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in pocEditIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	version, err := expectedVersion(r.Header.Values("If-Match"), in.Version)
	if err != nil {
		return err
	}
	p, err := s.app.Directory.Edit(r.Context(), a, r.PathValue("id"), version, in.input())
	if err != nil {
		return err
	}
	return s.writePOC(w, a, http.StatusOK, p)
}

// expectedVersion reads the version the client edited from If-Match or
// the body's version field. It never returns 0, which the service takes
// as "any version".
func expectedVersion(ifMatch []string, field *int) (int, error) {
	header := strings.TrimSpace(strings.Join(ifMatch, ","))
	if header == "" && field == nil {
		return 0, &errs.Error{Code: errs.PreconditionRequired, Message: `say which version you edited: send If-Match: "<version>" with the ETag of the entry, or a version field`}
	}
	fromHeader := 0
	if header != "" {
		if header == "*" {
			return 0, &errs.Error{Code: errs.PreconditionRequired, Message: `If-Match: * would overwrite any version; send the ETag of the version you edited, like "3"`}
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(header, `"`), `"`))
		if err != nil || n < 1 || !strings.HasPrefix(header, `"`) || !strings.HasSuffix(header, `"`) || len(header) < 3 {
			return 0, &errs.Error{Code: errs.Malformed, Message: `If-Match must be one entity tag as sent in ETag, like "3"`}
		}
		fromHeader = n
	}
	switch {
	case field != nil && *field < 1:
		return 0, &errs.Error{Code: errs.Invalid, Message: "please correct the highlighted fields",
			Fields: map[string]string{"version": "use the version of the entry you edited, a number from 1"}}
	case field != nil && fromHeader != 0 && *field != fromHeader:
		return 0, &errs.Error{Code: errs.Invalid, Message: "please correct the highlighted fields",
			Fields: map[string]string{"version": "does not match the If-Match header; send one or make them agree"}}
	case field != nil:
		return *field, nil
	}
	return fromHeader, nil
}
