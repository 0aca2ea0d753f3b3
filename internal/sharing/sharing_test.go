package sharing_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/detente/detente/internal/sharing"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// readers are everyone the rule tells apart.
var readers = []struct {
	name string
	r    sharing.Reader
}{
	{"the public", sharing.Reader{}},
	{"the secretariat", sharing.Reader{Secretariat: true}},
	{"France", sharing.Reader{State: "FR"}},
	{"Kenya", sharing.Reader{State: "KE"}},
}

func TestSees(t *testing.T) {
	tests := []struct {
		owner string
		v     sharing.Visibility
		want  []string // the readers who may read it
	}{
		{"FR", sharing.Private, []string{"the secretariat", "France"}},
		{"FR", sharing.Participants, []string{"the secretariat", "France", "Kenya"}},
		{"FR", sharing.Public, []string{"the public", "the secretariat", "France", "Kenya"}},
		{"", sharing.Private, []string{"the secretariat"}},
		{"", sharing.Participants, []string{"the secretariat", "France", "Kenya"}},
		{"", sharing.Public, []string{"the public", "the secretariat", "France", "Kenya"}},
		{"FR", "everyone", []string{"the secretariat", "France"}}, // an unknown visibility reads as private
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q at %s", tc.owner, tc.v), func(t *testing.T) {
			var got []string
			for _, x := range readers {
				if x.r.Sees(tc.owner, tc.v) {
					got = append(got, x.name)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("read by %v, want %v", got, tc.want)
			}
		})
	}
}

// TestWhereAgreesWithSees runs Where on both engines over every owner and
// visibility and asserts it selects exactly the rows Sees allows, for
// every reader: a list and a page never disagree.
func TestWhereAgreesWithSees(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.W.ExecContext(ctx, `CREATE TABLE shared_items (id TEXT PRIMARY KEY, owner_state TEXT NOT NULL, visibility TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		type item struct {
			id, owner string
			v         sharing.Visibility
		}
		var items []item
		for _, owner := range []string{"", "FR", "KE", "NZ"} {
			for _, v := range sharing.Visibilities() {
				it := item{id: owner + "-" + string(v), owner: owner, v: v}
				items = append(items, it)
				if _, err := db.W.ExecContext(ctx, `INSERT INTO shared_items VALUES ($1, $2, $3)`, it.id, it.owner, string(it.v)); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, x := range readers {
			// An argument before the condition's, as lists have.
			cond, args := x.r.Where("i", "owner_state", []any{"zzz"})
			rows, err := db.R.QueryContext(ctx, `SELECT i.id FROM shared_items i WHERE i.id < $1 AND `+cond+` ORDER BY i.id`, args...)
			if err != nil {
				t.Fatalf("%s: %v", x.name, err)
			}
			got, err := store.Collect(rows, func(r *sql.Rows) (string, error) {
				var id string
				return id, r.Scan(&id)
			})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, it := range items {
				if x.r.Sees(it.owner, it.v) {
					want = append(want, it.id)
				}
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: the SQL selects %v, the rule allows %v", x.name, got, want)
			}
		}
	})
}
