// Package sharing is the rule by which what a State shares of its own
// accord is read: capacity-building needs and offers (CBM 5) and the
// documents of the policy library (CBMs 3, 7 and 8). An item is read by
// its own State and the secretariat (private), also by every participating
// State (participants), or by anyone (public). The rule is written once
// for a single item (Sees) and once as the SQL condition lists filter on
// (Where), side by side, so that a page and a list cannot disagree.
package sharing

import (
	"context"
	"fmt"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
)

// Visibility is who may read an item.
type Visibility string

const (
	Private      Visibility = "private"      // its own State and the secretariat
	Participants Visibility = "participants" // every participating State's accounts and the secretariat
	Public       Visibility = "public"       // anyone, signed in or not
)

// Visibilities lists them from the narrowest.
func Visibilities() []Visibility { return []Visibility{Private, Participants, Public} }

// Label names the visibility (context "capacity visibility", whose words
// the library's pages share).
func (v Visibility) Label() string {
	switch v {
	case Private:
		return "Private: my State and the secretariat"
	case Participants:
		return "Participating States and the secretariat"
	case Public:
		return "Public"
	}
	return string(v)
}

// Valid reports whether v is one of the three.
func (v Visibility) Valid() bool { return v == Private || v == Participants || v == Public }

// Participation says since when a State takes part in the directory (nil
// when it does not); the directory's System answers it.
type Participation interface {
	ParticipatingSince(ctx context.Context, q store.Queryer, code string) (*time.Time, error)
}

// Side is the party a speaks for: a participating State's code, or "" for
// the secretariat. ok is false for anyone else: the public, an account of
// a State that does not participate.
func Side(ctx context.Context, q store.Queryer, dir Participation, a actor.Actor) (code string, ok bool, err error) {
	if !a.Authenticated() {
		return "", false, nil
	}
	if a.IsSecretariat() {
		return "", true, nil
	}
	if a.State == "" {
		return "", false, nil
	}
	since, err := dir.ParticipatingSince(ctx, q, a.State)
	if errs.Is(err, errs.NotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return a.State, since != nil, nil
}

// Reader is what decides what an actor may read. The zero Reader is the
// public.
type Reader struct {
	Secretariat bool
	State       string // a participating State's code; "" for anyone else
}

// ReaderOf is the Reader a reads as.
func ReaderOf(ctx context.Context, q store.Queryer, dir Participation, a actor.Actor) (Reader, error) {
	code, ok, err := Side(ctx, q, dir, a)
	if err != nil || !ok {
		return Reader{}, err
	}
	return Reader{Secretariat: a.IsSecretariat(), State: code}, nil
}

// Sees reports whether r may read an item of owner ("" for the
// secretariat) shared at v.
func (r Reader) Sees(owner string, v Visibility) bool {
	switch {
	case v == Public, r.Secretariat:
		return true
	case r.State == "":
		return false
	case v == Participants:
		return true
	}
	return owner != "" && owner == r.State
}

// Where is Sees as an SQL condition on the rows of alias x, whose
// visibility is in x.visibility and owner in x.ownerCol; its argument, if
// any, is appended to args and numbered after them.
func (r Reader) Where(x, ownerCol string, args []any) (string, []any) {
	switch {
	case r.Secretariat:
		return "1 = 1", args
	case r.State == "":
		return x + ".visibility = 'public'", args
	}
	args = append(args, r.State)
	return fmt.Sprintf("(%s.visibility <> 'private' OR %s.%s = $%d)", x, x, ownerCol, len(args)), args
}
