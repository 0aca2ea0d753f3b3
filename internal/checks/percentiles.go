package checks

import (
	"sync"
	"time"
)

// answerTimesKept keeps the median and 90th percentile of the answers to
// a check (of one State, or of all). Answers are only ever added, never
// changed or taken back, so the same number of answers is the same set of
// answers: the count from the tallies, read anyway, is the key, and a
// copy is exact on any instance however old it is.
type answerTimesKept struct {
	mu sync.Mutex
	m  map[answerTimesKey][2]time.Duration
}

type answerTimesKey struct {
	check, state string
	answers      int
}

// maxAnswerTimesKept bounds the copies; past it they are dropped and read
// again as reports are asked for.
const maxAnswerTimesKept = 4096

func newAnswerTimesKept() *answerTimesKept {
	return &answerTimesKept{m: map[answerTimesKey][2]time.Duration{}}
}

func (k *answerTimesKept) get(key answerTimesKey) ([2]time.Duration, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[key]
	return v, ok
}

func (k *answerTimesKept) put(key answerTimesKey, v [2]time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.m) >= maxAnswerTimesKept {
		clear(k.m)
	}
	k.m[key] = v
}
