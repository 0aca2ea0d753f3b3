package access

import (
	"context"
	"database/sql"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
)

// Admin is an enabled State administrator's address, for the mail a
// domain sends the States' administrators (the survey's reminders).
type Admin struct {
	State    string
	Email    string
	Language string // the account's preferred language; "" none
}

// StateAdmins lists the enabled State administrators, by State.
func (y *System) StateAdmins(ctx context.Context) ([]Admin, error) {
	rows, err := y.s.db.R.QueryContext(ctx, `SELECT state_code, email, language FROM accounts
		WHERE role = 'state_admin' AND disabled_at IS NULL AND state_code IS NOT NULL ORDER BY state_code, email`)
	if err != nil {
		return nil, errs.Internalf(err, "list State administrators")
	}
	out, err := store.Collect(rows, func(r *sql.Rows) (Admin, error) {
		var a Admin
		return a, r.Scan(&a.State, &a.Email, &a.Language)
	})
	if err != nil {
		return nil, errs.Internalf(err, "list State administrators")
	}
	return out, nil
}
