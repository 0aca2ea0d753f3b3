// Package i18n holds the messages of detente in the six official
// languages of the United Nations — Arabic, Chinese (Simplified), English,
// French, Russian and Spanish — and writes numbers, dates and country
// names for each of them.
//
// The messages live in gettext PO files embedded from po/, split into
// areas so that people working on different pages edit different files:
// po/<area>/en.po is an area's source, and ar.po, es.po, fr.po, ru.po and
// zh.po beside it translate it. The frame of every page (navigation,
// language switcher, footer, error pages, messages after an action) is the
// area "frame"; signing in and the account page "account"; field errors
// "validate"; dates "format"; each group of pages takes an area of its
// own. Load reads them all once into a Catalogue, and refuses a message
// that two areas define; Negotiate picks a request's Language; the
// Catalogue's Printer for that language translates (T, TC, N, NC, Msg) and
// formats (Number, Percent, Date, DateTime, Region). Funcs gives templates
// the same. A Message (M, MC, MN) carries a message to whoever knows the
// reader's language: a field error, a flash, a mail subject.
//
// Misuse never breaks a page: a message en.po lacks shows in English, a
// placeholder without its argument shows as {name}, and ReportMisuse hears
// of both. Tests catch them first: CheckTemplate lists text in a template
// that bypasses the catalogue and calls that do not fit it; CheckGoSource
// does the same for calls in Go code; CheckMessage checks a Message.
//
// Placeholders are named, in braces — "Sign out {email}" — and the PO
// files flag such messages python-brace-format so that translators' tools
// check them. Plural forms follow the CLDR rules of each language; the
// Plural-Forms header of each file states the same rules for those tools.
// TLP labels and the EXERCISE marking are never messages: TLP 2.0 keeps
// them in English in every language (see Markings).
//
// # Adding a string
//
//  1. Write the message in po/<area>/en.po, with msgstr equal to msgid
//     (and, for a plural, msgstr[0] and msgstr[1] equal to msgid and
//     msgid_plural). Add a "#." comment saying where it appears and what each placeholder
//     holds, "#, python-brace-format" if it has placeholders, and a msgctxt
//     if the same English words mean something else elsewhere.
//  2. Add the same entry, translated, to ar.po, es.po, fr.po, ru.po and
//     zh.po of the same area, with as many msgstr[N] as the file's
//     nplurals. A new area is a new directory with all six files, each
//     with the headers of the other areas' files.
//  3. Run go test ./internal/i18n: the tests name every language that
//     lacks the message, an empty translation, placeholders that differ
//     from the source and a wrong number of plural forms. msgfmt -c
//     po/<area>/xx.po checks the same with GNU gettext.
//
// A message missing from a language shows in English, so a page never
// breaks for want of a translation; the tests keep that from shipping.
//
// The translations are written with care for diplomats and CERT staff,
// but they must be reviewed by a professional translation service before
// production use.
package i18n
