package scenario

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
)

// The scenarios that ship with the product, in the scenario file format.
//
//go:embed shipped/*.json
var shipped embed.FS

// System is the side of scenarios that acts for no one: installing the
// shipped scenarios at start.
type System struct {
	s *Service
}

// NewSystem returns the System side of s.
func NewSystem(s *Service) *System { return &System{s: s} }

// Shipped returns the embedded scenario files by name.
func Shipped() (map[string][]byte, error) {
	names, err := fs.Glob(shipped, "shipped/*.json")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := fs.ReadFile(shipped, n)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(path.Base(n), ".json")] = b
	}
	return out, nil
}

// InstallShipped installs every shipped scenario not yet installed and
// saves a new version of one whose file changed since; it does nothing to
// those that did not, so every start may call it. It reports how many it
// wrote. The messaging templates must be in place: the files are checked
// as any scenario is.
func (y *System) InstallShipped(ctx context.Context) (int, error) {
	files, err := Shipped()
	if err != nil {
		return 0, err
	}
	n := 0
	for name, file := range files {
		wrote, err := y.install(ctx, name, file)
		if err != nil {
			return n, fmt.Errorf("shipped scenario %s: %w", name, err)
		}
		if wrote {
			n++
		}
	}
	return n, nil
}

func (y *System) install(ctx context.Context, name string, file []byte) (bool, error) {
	s := y.s
	in, err := Decode(bytes.NewReader(file))
	if err != nil {
		return false, err
	}
	sc, err := s.check(ctx, in)
	if err != nil {
		return false, err
	}
	sc.Shipped, sc.SavedAt, sc.SavedName = true, s.clock.Now().UTC(), "detente"
	wrote := false
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		h, err := shippedHead(ctx, tx, name)
		switch {
		case store.NoRows(err):
			sc.ID, sc.Version = newID(), 1
			ok, err := insertScenario(ctx, tx, sc, name)
			if err != nil {
				return errs.Internalf(err, "install scenario")
			}
			if !ok {
				return nil // another instance installed it meanwhile
			}
		case err != nil:
			return errs.Internalf(err, "load shipped scenario")
		default:
			v, err := selectVersion(ctx, tx, h.ID, h.Version)
			if err != nil {
				return errs.Internalf(err, "load shipped scenario")
			}
			sc.ID, sc.Version = h.ID, h.Version+1
			if bytes.Equal(v.Body, Encode(InputOf(sc))) {
				return nil
			}
			ok, err := saveVersion(ctx, tx, sc)
			if err != nil {
				return errs.Internalf(err, "update shipped scenario")
			}
			if !ok {
				return nil // another instance installed it meanwhile
			}
		}
		wrote = true
		return s.written(ctx, tx, actor.Actor{}, sc, "install", map[string]any{"version": sc.Version, "file": name})
	})
	return wrote, err
}
