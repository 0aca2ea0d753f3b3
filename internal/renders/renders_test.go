package renders

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

func TestCacheKeepsAndForgets(t *testing.T) {
	body := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }
	tests := []struct {
		name    string
		max     int
		puts    []string // keys, each with a 100-byte body
		touch   string   // read between the puts and the checks
		want    []string
		notWant []string
	}{
		{"everything fits", 1000, []string{"a", "b", "c"}, "", []string{"a", "b", "c"}, nil},
		{"oldest goes first", 600, []string{"a", "b", "c", "d"}, "", []string{"b", "c", "d"}, []string{"a"}},
		{"a read keeps an entry", 600, []string{"a", "b", "c"}, "a", []string{"a", "c"}, nil},
		{"nothing kept in an empty cache", 0, []string{"a"}, "", nil, []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(tc.max)
			for i, k := range tc.puts {
				c.Put(k, Entry{Body: body(100)})
				if tc.touch != "" && i == len(tc.puts)-1 {
					c.Get(tc.touch)
					c.Put("late", Entry{Body: body(100)})
				}
			}
			for _, k := range tc.want {
				if _, ok := c.Get(k); !ok {
					t.Errorf("%q was forgotten", k)
				}
			}
			for _, k := range tc.notWant {
				if _, ok := c.Get(k); ok {
					t.Errorf("%q is still kept", k)
				}
			}
			if _, _, n := c.Stats(); n > tc.max {
				t.Errorf("holds %d bytes, more than its %d", n, tc.max)
			}
		})
	}
}

func TestCacheRefusesAnEntryTooLargeForIt(t *testing.T) {
	c := New(1000)
	c.Put("big", Entry{Body: make([]byte, 600)})
	if _, ok := c.Get("big"); ok {
		t.Fatal("an entry of more than half the cache was kept")
	}
}

func TestCacheReplacesAnEntry(t *testing.T) {
	c := New(1000)
	c.Put("k", Entry{Title: "one", Body: []byte("1")})
	c.Put("k", Entry{Title: "two", Body: []byte("22")})
	e, ok := c.Get("k")
	if !ok || e.Title != "two" || string(e.Body) != "22" {
		t.Fatalf("got %+v, %v", e, ok)
	}
	if _, _, n := c.Stats(); n != (Entry{Title: "two", Body: []byte("22")}).size() {
		t.Fatalf("size %d counts the replaced entry", n)
	}
}

func TestCacheUnderConcurrentUse(t *testing.T) {
	c := New(10_000)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				k := fmt.Sprint(g, i%20)
				c.Put(k, Entry{Body: []byte(k)})
				if e, ok := c.Get(k); ok && string(e.Body) != k {
					t.Errorf("key %q holds %q", k, e.Body)
				}
			}
		}()
	}
	wg.Wait()
	if _, _, n := c.Stats(); n > 10_000 {
		t.Fatalf("holds %d bytes", n)
	}
}
