package i18n

import (
	"fmt"
	"strconv"
	"time"
)

// Message is a message to be translated later, by whoever knows the
// reader's language: a field error made by a validator, a flash chosen by
// a handler, a mail subject queued for a recipient. Build it with M, MC or
// MN; translate it with Printer.Msg, or the template function "msg".
type Message struct {
	Context string // msgctxt, usually ""
	ID      string // the English source text (msgid)
	Plural  string // msgid_plural, for a message with a count
	N       int    // the count that picks the plural form
	Args    []any  // name/value pairs, as for Printer.T
}

// M is a message without a count: M("use at most {max} characters", "max", 64).
func M(msgid string, args ...any) Message { return Message{ID: msgid, Args: args} }

// MC is a message with a context.
func MC(context, msgid string, args ...any) Message {
	return Message{Context: context, ID: msgid, Args: args}
}

// MN is a message with a count: MN("{count} day", "{count} days", n).
func MN(singular, plural string, n int, args ...any) Message {
	return Message{ID: singular, Plural: plural, N: n, Args: args}
}

// IsZero reports whether m holds no message.
func (m Message) IsZero() bool { return m.ID == "" }

// String is the message in English, filled without the catalogue: for
// logs, and for callers that do not translate yet.
func (m Message) String() string {
	text := m.ID
	if m.Plural != "" && m.N != 1 {
		text = m.Plural
	}
	vals := map[string]string{}
	if m.Plural != "" {
		vals["count"] = strconv.Itoa(m.N)
	}
	for i := 0; i+1 < len(m.Args); i += 2 {
		name, ok := m.Args[i].(string)
		if !ok {
			continue
		}
		switch v := m.Args[i+1].(type) {
		case Message:
			vals[name] = v.String()
		case time.Time:
			vals[name] = v.UTC().Format("2 January 2006")
		default:
			vals[name] = fmt.Sprint(v)
		}
	}
	return fill(text, vals, nil)
}
