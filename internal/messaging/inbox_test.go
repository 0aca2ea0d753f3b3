package messaging_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// TestUnreadCountsAgreeWithARecount: after a random run of sends (every
// label, several recipients, replies naming the author) and readings (of
// the inbox, of one's own messages, twice, by the secretariat), every
// account's maintained unread count equals a count over its inbox.
func TestUnreadCountsAgreeWithARecount(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(7, 11))
		senders := []string{"frpoc", "frpoc2", "kepoc", "kepoc2", "depoc"}
		stateOf := map[string]string{"frpoc": "FR", "frpoc2": "FR", "kepoc": "KE", "kepoc2": "KE", "depoc": "DE"}
		readers := []string{"sec", "frpoc", "frpoc2", "fradmin", "frviewer", "kepoc", "kepoc2", "keadmin", "depoc", "nzpoc"}
		var sent []messaging.Message
		for i := range 60 {
			if i%3 == 2 && len(sent) > 0 {
				// Someone reads something they may or may not see.
				who := readers[rng.IntN(len(readers))]
				m := sent[rng.IntN(len(sent))]
				if rng.IntN(2) == 0 {
					_ = e.svc.MarkRead(ctx, e.who[who], m.ID)
					_ = e.svc.MarkRead(ctx, e.who[who], m.ID) // a second reading counts once
				} else {
					// Opening the thread reads what is there of it at once.
					_ = e.svc.ReadThread(ctx, e.who[who], m.ThreadID)
					_ = e.svc.ReadThread(ctx, e.who[who], m.ThreadID)
				}
				continue
			}
			if i%5 == 4 && len(sent) > 0 {
				// An answer in a thread, by whoever may give one; threads
				// grow, so opening one reads several messages.
				m := sent[rng.IntN(len(sent))]
				from := senders[rng.IntN(len(senders))]
				if r, err := e.svc.Send(ctx, e.who[from], messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, TLP: m.TLP, Body: "Progress."}); err == nil {
					sent = append(sent, r)
					continue
				}
			}
			from := senders[rng.IntN(len(senders))]
			var to []string
			for _, st := range []string{"FR", "KE", "DE"} {
				if st != stateOf[from] && (len(to) == 0 || rng.IntN(2) == 0) {
					to = append(to, st)
				}
			}
			label := tlp.Labels()[rng.IntN(len(tlp.Labels()))]
			d := incident(label, to...)
			if label == tlp.Red {
				// Name someone of the first recipient State.
				for _, who := range senders {
					if stateOf[who] == to[0] {
						d.Named = append(d.Named, e.who[who].AccountID)
						break
					}
				}
			}
			m, err := e.svc.Send(ctx, e.who[from], d)
			if err != nil {
				t.Fatalf("send %s from %s to %v: %v", label, from, to, err)
			}
			sent = append(sent, m)
		}
		total := 0
		for _, who := range readers {
			got, err := e.svc.Unread(ctx, e.who[who])
			if err != nil {
				t.Fatal(err)
			}
			want, err := e.svc.UnreadByScan(ctx, e.who[who])
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: unread %d, a recount finds %d", who, got, want)
			}
			total += want
		}
		if total == 0 {
			t.Fatal("nothing unread anywhere: the run proves nothing")
		}
		if n, _ := e.svc.Unread(ctx, e.who["anon"]); n != 0 {
			t.Errorf("anonymous has %d unread", n)
		}
	})
}

// TestUnreadIsTwoRowsByKey guards the shape: the count reads two rows by
// key, whatever the inbox holds.
func TestUnreadIsTwoRowsByKey(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	rows, err := db.R.Query(`EXPLAIN QUERY PLAN SELECT
		COALESCE((SELECT messages FROM inbox_state_counts WHERE state_code = $1), 0) +
		COALESCE((SELECT named - readcount FROM inbox_account_counts WHERE account_id = $2), 0)`, "KE", "x")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(detail, "SCAN") && detail != "SCAN CONSTANT ROW" {
			t.Errorf("the unread count scans: %s", detail)
		}
	}
}

// TestInboxCountsMigrationCountsWhatIsThere: the migration that added the
// counts fills them from the messages, deliveries and readings already
// stored; run again over a busy inbox, it arrives at the recount.
func TestInboxCountsMigrationCountsWhatIsThere(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		red := incident(tlp.Red, "KE")
		red.Named = []string{e.who["kepoc"].AccountID}
		for _, d := range []messaging.Draft{incident(tlp.Amber, "KE", "DE"), incident(tlp.Green, "KE"), red} {
			m := e.send(t, "frpoc", d)
			_ = e.svc.MarkRead(ctx, e.who["kepoc"], m.ID)
		}
		e.send(t, "kepoc2", incident(tlp.Clear, "FR"))
		ms, err := db.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		var backfill []string
		for _, m := range ms {
			if strings.Contains(m.Name, "inbox_counts") {
				for _, stmt := range strings.Split(m.SQL, ";") {
					if i := strings.Index(stmt, "INSERT INTO"); i >= 0 {
						backfill = append(backfill, stmt[i:])
					}
				}
			}
		}
		if len(backfill) != 2 {
			t.Fatalf("found %d backfill statements in the migration, want 2", len(backfill))
		}
		if _, err := db.W.Exec(`DELETE FROM inbox_state_counts`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.Exec(`DELETE FROM inbox_account_counts`); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range backfill {
			if _, err := db.W.Exec(stmt); err != nil {
				t.Fatalf("%v\n%s", err, stmt)
			}
		}
		for _, who := range []string{"sec", "frpoc", "frviewer", "kepoc", "kepoc2", "keadmin", "depoc", "nzpoc"} {
			got, _ := e.svc.Unread(ctx, e.who[who])
			want, _ := e.svc.UnreadByScan(ctx, e.who[who])
			if got != want {
				t.Errorf("%s: unread %d after the migration, a recount finds %d", who, got, want)
			}
		}
	})
}

// TestListCostDoesNotGrow counts the statements a list of messages sends:
// the deliveries, named people and files of a page come in one query each,
// so a page of five costs what a page of thirty does.
func TestListCostDoesNotGrow(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db, counter := storetest.OpenCounting(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			measure := func(limit int) int64 {
				counter.Store(0)
				got, err := e.svc.List(ctx, e.who["kepoc"], messaging.ListFilter{Box: messaging.Inbox, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != limit {
					t.Fatalf("listed %d, want %d", len(got), limit)
				}
				for _, m := range got {
					if len(m.Deliveries) == 0 {
						t.Fatalf("message %s listed without its delivery", m.ID)
					}
				}
				return counter.Load()
			}
			for range 30 {
				e.send(t, "frpoc", incident(tlp.Amber, "KE", "DE"))
			}
			small, large := measure(5), measure(30)
			if small == 0 || small != large {
				t.Fatalf("a list took %d statements for 5 messages and %d for 30", small, large)
			}
		})
	}
}

// TestReadFlagsForAPage: the read markers of the messages a page shows
// come from one query over them, per person.
func TestReadFlagsForAPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a, b := e.send(t, "frpoc", incident(tlp.Amber, "KE")), e.send(t, "frpoc", incident(tlp.Amber, "KE"))
		if err := e.svc.MarkRead(ctx, e.who["kepoc"], a.ID); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.ReadFlags(ctx, e.who["kepoc"], []string{a.ID, b.ID})
		if err != nil || !got[a.ID] || got[b.ID] {
			t.Fatalf("kepoc's flags: %v, %v; want only the first read", got, err)
		}
		if got, _ := e.svc.ReadFlags(ctx, e.who["kepoc2"], []string{a.ID, b.ID}); got[a.ID] || got[b.ID] {
			t.Fatalf("another person's readings count: %v", got)
		}
		if _, err := e.svc.ReadFlags(ctx, e.who["anon"], []string{a.ID}); err == nil {
			t.Fatal("anonymous read flags")
		}
	})
}

// TestPagesWalkEveryMessageOnce walks the inbox and the sent box a few
// messages at a time, over messages sent at one instant and at several,
// delivered to the State and naming people of the sender's own State, and
// finds each message it should exactly once, newest first.
func TestPagesWalkEveryMessageOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		type sent struct {
			m           messaging.Message
			inboxOf     []string // who finds it in their inbox
			sentBoxOfFR bool
		}
		var all []sent
		for i := range 13 {
			if i%4 == 0 {
				e.clock.Advance(time.Minute) // the others share an instant
			}
			var d messaging.Draft
			var inboxOf []string
			switch i % 3 {
			case 0:
				d, inboxOf = incident(tlp.Amber, "KE"), []string{"kepoc", "kepoc2"}
			case 1:
				d = incident(tlp.Red, "KE")
				d.Named = []string{e.who["kepoc"].AccountID}
				inboxOf = []string{"kepoc"}
			case 2:
				// A colleague of the sender's own State, named: in that
				// person's inbox without a delivery to their State.
				d = incident(tlp.Red, "KE")
				d.Named = []string{e.who["kepoc"].AccountID, e.who["frpoc2"].AccountID}
				inboxOf = []string{"kepoc", "frpoc2"}
			}
			all = append(all, sent{e.send(t, "frpoc", d), inboxOf, true})
		}
		newestFirst := func(ms []messaging.Message) {
			slices.SortFunc(ms, func(a, b messaging.Message) int {
				if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
					return c
				}
				return strings.Compare(b.ID, a.ID)
			})
		}
		walk := func(who string, box messaging.Box, query string) []string {
			var ids []string
			req := page.Request{Limit: 2}
			for range 50 {
				p, err := e.svc.Page(ctx, e.who[who], messaging.ListFilter{Box: box, Query: query}, req)
				if err != nil {
					t.Fatalf("%s %s: %v", who, box, err)
				}
				for _, m := range p.Items {
					ids = append(ids, m.ID)
				}
				if p.Next == "" {
					return ids
				}
				after, err := page.Decode(p.Next)
				if err != nil {
					t.Fatal(err)
				}
				req.After = after
			}
			t.Fatalf("%s %s: paging does not end", who, box)
			return nil
		}
		for _, tc := range []struct {
			who string
			box messaging.Box
			in  func(s sent) bool
		}{
			{"kepoc", messaging.Inbox, func(s sent) bool { return slices.Contains(s.inboxOf, "kepoc") }},
			{"kepoc2", messaging.Inbox, func(s sent) bool { return slices.Contains(s.inboxOf, "kepoc2") }},
			{"frpoc2", messaging.Inbox, func(s sent) bool { return slices.Contains(s.inboxOf, "frpoc2") }},
			{"frviewer", messaging.Sent, func(s sent) bool { return s.m.TLP != tlp.Red }},
			{"frpoc", messaging.Sent, func(sent) bool { return true }},
		} {
			var want []messaging.Message
			for _, s := range all {
				if tc.in(s) {
					want = append(want, s.m)
				}
			}
			newestFirst(want)
			var wantIDs []string
			for _, m := range want {
				wantIDs = append(wantIDs, m.ID)
			}
			if got := walk(tc.who, tc.box, ""); !slices.Equal(got, wantIDs) {
				t.Errorf("%s's %s box, two at a time:\n got %v\nwant %v", tc.who, tc.box, got, wantIDs)
			}
			// A search reads the full-text index on SQLite, in the order
			// messages were stored, which is the order they were sent here.
			if got := walk(tc.who, tc.box, "wiper grid"); !slices.Equal(got, wantIDs) {
				t.Errorf("%s's %s box searched, two at a time:\n got %v\nwant %v", tc.who, tc.box, got, wantIDs)
			}
			if got := walk(tc.who, tc.box, "GRI wip"); !slices.Equal(got, wantIDs) {
				t.Errorf("%s's %s box searched by the start of words, two at a time:\n got %v\nwant %v", tc.who, tc.box, got, wantIDs)
			}
			for _, q := range []string{"wiper nowhere", "iper", "rid"} {
				if got := walk(tc.who, tc.box, q); len(got) != 0 {
					t.Errorf("%s's %s box searched for %q, which begins no word: %v", tc.who, tc.box, q, got)
				}
			}
		}
		// A cursor that is not a message key is a field error.
		if _, err := e.svc.Page(ctx, e.who["kepoc"], messaging.ListFilter{Box: messaging.Inbox}, page.Request{After: []string{"yesterday", "x"}}); !errs.Is(err, errs.Invalid) {
			t.Errorf("a damaged cursor: %v", err)
		}
	})
}

// TestOpeningAThreadCostsTheSame: opening a thread finds its unread
// messages in one statement and records them in one transaction, so a
// long thread costs what a short one does, and a thread read before costs
// one statement.
func TestOpeningAThreadCostsTheSame(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db, counter := storetest.OpenCounting(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			thread := func(answers int) string {
				m := e.send(t, "frpoc", incident(tlp.Amber, "KE"))
				for range answers {
					e.send(t, "frpoc", messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "Progress."})
				}
				return m.ThreadID
			}
			open := func(id string) int64 {
				counter.Store(0)
				if err := e.svc.ReadThread(ctx, e.who["kepoc"], id); err != nil {
					t.Fatal(err)
				}
				return counter.Load()
			}
			short, long := thread(1), thread(12)
			before, err := e.svc.Unread(ctx, e.who["kepoc"])
			if err != nil {
				t.Fatal(err)
			}
			first, firstLong := open(short), open(long)
			again := open(long)
			if first == 0 || first != firstLong {
				t.Errorf("opening a thread of 2 messages read %d statements, of 13: %d", first, firstLong)
			}
			if again != 1 {
				t.Errorf("opening a thread read before took %d statements, want 1", again)
			}
			after, err := e.svc.Unread(ctx, e.who["kepoc"])
			if err != nil {
				t.Fatal(err)
			}
			if before-after != 15 {
				t.Errorf("opening the two threads read %d messages, want 15", before-after)
			}
		})
	}
}
