// Package clock lets services ask for the time without reading the wall
// clock directly, so deadlines and schedules can be tested.
package clock

import "time"

// Clock tells the current time.
type Clock interface{ Now() time.Time }

// System is the real clock, in UTC.
type System struct{}

func (System) Now() time.Time { return time.Now().UTC() }

// Fixed is a settable clock for tests. It is not safe for concurrent Set.
type Fixed struct{ T time.Time }

func (f *Fixed) Now() time.Time { return f.T }

// Advance moves the clock forward by d.
func (f *Fixed) Advance(d time.Duration) { f.T = f.T.Add(d) }
