// Package renders keeps what pages and API answers rendered from data that
// rarely changes (the directory, State pages, the catalogue), so a request
// that asks the same question again is answered from memory.
//
// The cache knows nothing of what may be shown to whom: callers key each
// entry by everything that shaped it (the data's version, the class of
// viewer, the question asked, the language). It is bounded by the bytes it
// holds and forgets the least recently used entries first, so memory stays
// flat however many distinct questions are asked.
package renders

import (
	"container/list"
	"sync"
)

// Entry is one rendered answer: the page's title, where the page has one,
// and its bytes.
type Entry struct {
	Title string
	Body  []byte
}

func (e Entry) size() int { return len(e.Title) + len(e.Body) + 64 }

// Cache is safe for concurrent use.
type Cache struct {
	mu     sync.Mutex
	max    int // bytes
	size   int
	order  *list.List // front: most recently used
	items  map[string]*list.Element
	hits   uint64
	misses uint64
}

type item struct {
	key   string
	entry Entry
}

// New returns a cache that holds at most maxBytes of entries; 0 or less
// keeps nothing.
func New(maxBytes int) *Cache {
	return &Cache{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the entry kept under key.
func (c *Cache) Get(key string) (Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		c.misses++
		return Entry{}, false
	}
	c.hits++
	c.order.MoveToFront(el)
	return el.Value.(*item).entry, true
}

// Put keeps e under key, forgetting the least recently used entries to
// make room. An entry larger than half the cache is not kept: it would
// push out most others for one question.
func (c *Cache) Put(key string, e Entry) {
	n := e.size()
	if n > c.max/2 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.size -= el.Value.(*item).entry.size()
		el.Value.(*item).entry = e
		c.size += n
		c.order.MoveToFront(el)
	} else {
		c.items[key] = c.order.PushFront(&item{key: key, entry: e})
		c.size += n
	}
	for c.size > c.max {
		last := c.order.Back()
		it := last.Value.(*item)
		c.order.Remove(last)
		delete(c.items, it.key)
		c.size -= it.entry.size()
	}
}

// Stats reports the hits and misses so far and the bytes held.
func (c *Cache) Stats() (hits, misses uint64, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, c.size
}
