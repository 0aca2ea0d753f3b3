package checks

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/i18n"
)

// runSep joins a repeating check's series name and a run's period.
const runSep = " — "

// Period names the stretch of time a run of a check repeating every
// months stands for, from its opening: "first half of 2027" for six
// months, "third quarter of 2027" for three, "March 2027" for one, "2027"
// for twelve, and otherwise the opening date.
func Period(opens time.Time, months int) string {
	opens = opens.UTC()
	y, m := opens.Year(), int(opens.Month())
	ordinal := []string{"first", "second", "third", "fourth"}
	switch months {
	case 6:
		return fmt.Sprintf("%s half of %d", ordinal[(m-1)/6], y)
	case 3:
		return fmt.Sprintf("%s quarter of %d", ordinal[(m-1)/3], y)
	case 1:
		return opens.Format("January 2006")
	case 12:
		return fmt.Sprintf("%d", y)
	}
	return opens.Format("2 January 2006")
}

// RunName is the name of a run opening at opens: a check that repeats gets
// its period after the series name ("Communication check — first half of
// 2027"), so each run reads differently; one that does not keeps name.
func RunName(name string, opens time.Time, months int) string {
	if months <= 0 {
		return name
	}
	p := Period(opens, months)
	if strings.Contains(name, p) {
		return name // the name already says it
	}
	return name + runSep + p
}

// NameIn is c's name for a reader of p's language. A run of a repeating
// check is stored with its period in English after the series name, as
// RunName wrote it; the period is written again in p's language. Any
// other name is what the secretariat typed, shown as it is.
func (c Check) NameIn(p *i18n.Printer) string {
	if p.Language() == i18n.English || c.RepeatMonths <= 0 {
		return c.Name
	}
	series, ok := strings.CutSuffix(c.Name, runSep+Period(c.OpensAt, c.RepeatMonths))
	if !ok {
		return c.Name
	}
	return series + runSep + periodIn(p, c.OpensAt, c.RepeatMonths)
}

// periodIn is Period in p's language.
func periodIn(p *i18n.Printer, opens time.Time, months int) string {
	opens = opens.UTC()
	y, m := strconv.Itoa(opens.Year()), int(opens.Month())
	switch months {
	case 6:
		return p.Msg([]i18n.Message{
			i18n.MC("check period", "first half of {year}", "year", y),
			i18n.MC("check period", "second half of {year}", "year", y),
		}[(m-1)/6])
	case 3:
		return p.Msg([]i18n.Message{
			i18n.MC("check period", "first quarter of {year}", "year", y),
			i18n.MC("check period", "second quarter of {year}", "year", y),
			i18n.MC("check period", "third quarter of {year}", "year", y),
			i18n.MC("check period", "fourth quarter of {year}", "year", y),
		}[(m-1)/3])
	case 1:
		return p.Msg([]i18n.Message{
			i18n.MC("check period", "January {year}", "year", y), i18n.MC("check period", "February {year}", "year", y),
			i18n.MC("check period", "March {year}", "year", y), i18n.MC("check period", "April {year}", "year", y),
			i18n.MC("check period", "May {year}", "year", y), i18n.MC("check period", "June {year}", "year", y),
			i18n.MC("check period", "July {year}", "year", y), i18n.MC("check period", "August {year}", "year", y),
			i18n.MC("check period", "September {year}", "year", y), i18n.MC("check period", "October {year}", "year", y),
			i18n.MC("check period", "November {year}", "year", y), i18n.MC("check period", "December {year}", "year", y),
		}[m-1])
	case 12:
		return y
	}
	return p.Date(opens)
}

// nextRunName names the run after c, opening at opens: c's period, where
// its name carries one, becomes the next run's.
func nextRunName(c Check, opens time.Time) string {
	if p := Period(c.OpensAt, c.RepeatMonths); strings.Contains(c.Name, p) {
		return strings.Replace(c.Name, p, Period(opens, c.RepeatMonths), 1)
	}
	return RunName(c.Name, opens, c.RepeatMonths)
}

// HumanDuration writes a time to confirm as people say it: "45 min",
// "5 h 20 min", "1 day 6 h"; rounded to the minute under a day and to the
// hour beyond.
func HumanDuration(d time.Duration) string {
	if d < time.Minute {
		return "under 1 min"
	}
	plural := func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	if d < 24*time.Hour {
		m := int(d.Round(time.Minute) / time.Minute)
		h, m := m/60, m%60
		switch {
		case h == 0:
			return fmt.Sprintf("%d min", m)
		case m == 0:
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	h := int(d.Round(time.Hour) / time.Hour)
	days, h := h/24, h%24
	if h == 0 {
		return plural(days, "day", "days")
	}
	return plural(days, "day", "days") + fmt.Sprintf(" %d h", h)
}
