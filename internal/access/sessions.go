package access

import (
	"context"
	"sync"
	"time"

	"github.com/detente/detente/internal/store"
)

// sessionCache keeps the sessions read lately, so that a page does not
// join sessions and accounts on every request. It is exact, not a few
// seconds behind: each lookup first reads the access version (one row),
// and a version other than the one the copies were read under drops them
// all. Every change that can end or alter a session bumps that version in
// its own transaction, on whichever instance makes it (store_sessions.go).
// The one column that moves without a bump, last_seen_at, is re-read
// before a session is ended for want of use.
type sessionCache struct {
	mu      sync.Mutex
	version int64
	m       map[string]keptSession
}

type keptSession struct {
	sess     Session
	lastSeen time.Time
}

// maxKeptSessions bounds the memory: past it the copies are dropped and
// read again as people come back.
const maxKeptSessions = 20000

func newSessionCache() *sessionCache { return &sessionCache{m: map[string]keptSession{}} }

// lookup returns the session under tokenHash, from memory when the access
// version has not moved since it was read.
func (c *sessionCache) lookup(ctx context.Context, db *store.DB, tokenHash string) (Session, time.Time, error) {
	q := db.Kept()
	v, err := db.Version(ctx, accessVersion)
	if err != nil {
		return Session{}, time.Time{}, err
	}
	c.mu.Lock()
	if c.version != v {
		clear(c.m)
		c.version = v
	}
	k, ok := c.m[tokenHash]
	c.mu.Unlock()
	if ok {
		return k.sess, k.lastSeen, nil
	}
	sess, lastSeen, err := selectSession(ctx, q, tokenHash)
	if err != nil {
		return sess, lastSeen, err
	}
	c.keep(v, tokenHash, sess, lastSeen)
	return sess, lastSeen, nil
}

// keep stores what was read under version v, unless the version has moved
// on meanwhile.
func (c *sessionCache) keep(v int64, tokenHash string, sess Session, lastSeen time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v {
		return
	}
	if len(c.m) >= maxKeptSessions {
		clear(c.m)
	}
	c.m[tokenHash] = keptSession{sess, lastSeen}
}

// seen records that the session under tokenHash was used at t.
func (c *sessionCache) seen(tokenHash string, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.m[tokenHash]; ok && t.After(k.lastSeen) {
		k.lastSeen = t
		c.m[tokenHash] = k
	}
}
