package access

import (
	"context"
	"sync"
	"time"

	"github.com/detente/detente/internal/store"
)

// kept holds what was read lately of sessions or API tokens, so that a
// request does not join them with accounts every time. It is exact: each
// lookup first reads the access version (from memory on PostgreSQL, see
// store.DB.Version), and a version other than the one the copies were
// read under drops them all. Every change that can end or alter a session
// or a token bumps that version in its own transaction, on whichever
// instance makes it (store_sessions.go). The one column of each that
// moves without a bump, when it was last used, is kept up to date by the
// instance that touches it and re-read where it decides something (a
// session ended for want of use).
type kept[T any] struct {
	mu      sync.Mutex
	version int64
	m       map[string]T
}

// maxKept bounds the memory of each: past it the copies are dropped and
// read again as people come back.
const maxKept = 20000

func newKept[T any]() *kept[T] { return &kept[T]{m: map[string]T{}} }

// lookup returns what is kept under key, or what load reads, kept for the
// next time while the access version stands.
func (c *kept[T]) lookup(ctx context.Context, db *store.DB, key string, load func() (T, error)) (T, error) {
	v, err := db.Version(ctx, accessVersion)
	if err != nil {
		var zero T
		return zero, err
	}
	c.mu.Lock()
	if c.version != v {
		clear(c.m)
		c.version = v
	}
	x, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return x, nil
	}
	x, err = load()
	if err != nil {
		return x, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version == v { // read under v: kept unless the version moved on meanwhile
		if len(c.m) >= maxKept {
			clear(c.m)
		}
		c.m[key] = x
	}
	return x, nil
}

// update changes what is kept under key, if anything is.
func (c *kept[T]) update(key string, change func(*T)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if x, ok := c.m[key]; ok {
		change(&x)
		c.m[key] = x
	}
}

// keptSession is a session with when it was last used.
type keptSession struct {
	sess     Session
	lastSeen time.Time
}
