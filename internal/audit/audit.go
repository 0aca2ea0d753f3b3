// Package audit keeps the tamper-evident log of every change and sign-in.
// Entries are appended inside the transaction of the change they record, so
// a change and its entry land together or not at all, and sealed into the
// chain just after (seal.go). Each entry's hash covers the previous hash
// and a canonical form of the entry: editing, inserting or deleting a row
// breaks the chain from that row on, and signed checkpoints of the head
// show entries deleted from the end.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/store"
)

// genesis is the prev_hash of the first entry.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one line of the log.
type Entry struct {
	Seq        int64
	At         time.Time
	ActorID    string
	ActorLabel string
	Action     string // e.g. "poc.edit", "account.sign_in"
	ObjectType string
	ObjectID   string
	State      string // the State the object belongs to, if any
	Digest     string // SHA-256 of the change's details
	PrevHash   string
	Hash       string
}

// Log appends and verifies entries.
type Log struct {
	db    *store.DB
	clock clock.Clock
}

// New returns a Log over db.
func New(db *store.DB, c clock.Clock) *Log { return &Log{db: db, clock: c} }

// Change describes what is being recorded.
type Change struct {
	Action     string
	ObjectType string
	ObjectID   string
	State      string
	Details    any // marshalled to JSON and digested; not stored itself
}

// Append records c by a within tx, unsealed: it takes no lock, so
// concurrent changes do not wait for each other here. The Sealer links the
// entry into the chain once tx has committed.
func (l *Log) Append(ctx context.Context, tx *sql.Tx, a actor.Actor, c Change) error {
	details, err := json.Marshal(c.Details)
	if err != nil {
		return fmt.Errorf("audit details: %w", err)
	}
	sum := sha256.Sum256(details)
	err = insertEntry(ctx, tx, l.db.Engine, Entry{At: l.clock.Now().UTC().Truncate(time.Microsecond), ActorID: a.AccountID, ActorLabel: a.Label(),
		Action: c.Action, ObjectType: c.ObjectType, ObjectID: c.ObjectID, State: c.State, Digest: hex.EncodeToString(sum[:])})
	if err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	return nil
}

// Sealed reports whether e is linked into the chain yet.
func (e Entry) Sealed() bool { return e.Hash != "" }

// canonical is the entry's fields in a fixed order, each length-prefixed so
// no two different entries share a form.
func (e Entry) canonical() string {
	fields := []string{
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format(time.RFC3339Nano),
		e.ActorID, e.ActorLabel, e.Action, e.ObjectType, e.ObjectID, e.State, e.Digest,
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte(';')
	}
	return b.String()
}

func (e Entry) computeHash() string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write([]byte(e.canonical()))
	return hex.EncodeToString(h.Sum(nil))
}

// Broken names the first entry whose link does not hold.
type Broken struct {
	Seq    int64
	Reason string
}

func (b *Broken) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", b.Seq, b.Reason)
}
