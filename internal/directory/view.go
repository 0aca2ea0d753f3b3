package directory

import (
	"context"
	"strconv"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
)

// versionName is the counter that every change to the States or their
// POCs moves on, in the change's own transaction.
const versionName = "directory"

// View names what a is shown by the directory's reads, so that edges can
// keep what they rendered and serve it again: two callers with the same
// View get the same answer to the same question. It joins the data's
// version, the class of reader and the minute (an entry turns stale with
// time, so nothing rendered outlives its minute).
//
// The class is everything about a that the reads look at: whether a is
// the secretariat, a's State (which entries it sees, retired ones
// included, depends on it and on its participation, which the version
// covers) and whether a administers that State (the account links and the
// management links).
func (s *Service) View(ctx context.Context, a actor.Actor) (string, error) {
	n, err := s.db.Version(ctx, versionName)
	if err != nil {
		return "", errs.Internalf(err, "directory version")
	}
	return strconv.FormatInt(n, 10) + "|" + viewClass(a) + "|" + strconv.FormatInt(s.clock.Now().Truncate(time.Minute).Unix(), 10), nil
}

func viewClass(a actor.Actor) string {
	switch {
	case !a.Authenticated():
		return "anonymous"
	case a.IsSecretariat():
		return "secretariat"
	case a.State == "":
	case a.Role == actor.StateAdmin:
		return "admin:" + a.State
	case a.Role == actor.POC, a.Role == actor.Viewer:
		return "state:" + a.State
	}
	// Anyone else shares nothing with other callers.
	return "account:" + a.AccountID
}
