package audit

import "sort"

// labels names every action in words people use; pages show these instead
// of the codes. A code missing here is shown as it is.
var labels = map[string]string{
	"state.participation": "Participation recorded",

	"poc.nominate":  "POC nominated",
	"poc.edit":      "POC edited",
	"poc.confirm":   "POC confirmed",
	"poc.retire":    "POC retired",
	"poc.reinstate": "POC reinstated",

	"account.create":          "Account created",
	"account.disable":         "Account disabled",
	"account.enable":          "Account enabled",
	"account.language":        "Language chosen",
	"account.password":        "Password changed",
	"account.reset":           "Account reset",
	"account.reset_completed": "Account reset completed",
	"account.sign_in":         "Signed in",
	"account.sign_in_failed":  "Sign-in failed",
	"account.sign_out":        "Signed out",
	"account.totp_enrolled":   "Second factor set up",
	"account.totp_verified":   "Second factor passed",
	"account.totp_failed":     "Second factor failed",

	"token.create": "API token created",
	"token.revoke": "API token revoked",

	"message.send":        "Communication sent",
	"message.attach":      "File attached",
	"message.acknowledge": "Communication acknowledged",
	"message.escalate":    "Communication escalated",
	"message.expire":      "Communication expired",
	"template.publish":    "Template published",

	"ping.create":      "Check scheduled",
	"ping.open":        "Check opened",
	"ping.acknowledge": "Check answered",
	"ping.close":       "Check closed",
	"ping.publish":     "Check results published",

	"webhook.create":        "Webhook created",
	"webhook.enable":        "Webhook enabled",
	"webhook.disable":       "Webhook disabled",
	"webhook.delete":        "Webhook deleted",
	"webhook.rotate_secret": "Webhook secret replaced",

	"incident.create":           "Incident recorded",
	"incident.edit":             "Incident edited",
	"incident.status":           "Incident status changed",
	"incident.link":             "Communication linked to an incident",
	"incident.attribute":        "Attribution assessment recorded",
	"incident.attribution_edit": "Attribution assessment edited",
	"incident.finding":          "Norm finding recorded",

	"meeting.create":      "Meeting scheduled",
	"meeting.edit":        "Meeting changed",
	"meeting.cancel":      "Meeting cancelled",
	"meeting.answer":      "Meeting invitation answered",
	"meeting.mail":        "Meeting invitations mailed",
	"meeting.remind":      "Meeting reminders mailed",
	"meeting.feed":        "Calendar feed address created",
	"meeting.feed_revoke": "Calendar feed address revoked",

	"meeting.attendance":      "Meeting attendance recorded",
	"meeting.record_add":      "Meeting minutes or document added",
	"meeting.record_edit":     "Meeting minutes or document changed",
	"meeting.record_withdraw": "Meeting minutes or document withdrawn",
	"meeting.publish":         "Past meeting published",
	"meeting.unpublish":       "Past meeting taken off the public list",
	"capacity.need_create":    "Capacity-building need posted",
	"capacity.need_edit":      "Capacity-building need changed",
	"capacity.offer_create":   "Capacity-building offer posted",
	"capacity.offer_edit":     "Capacity-building offer changed",
	"capacity.propose":        "Partnership proposed",
	"capacity.accept":         "Partnership agreed",
	"capacity.decline":        "Partnership declined",
	"capacity.publish":        "Consent to publish a partnership",
	"survey.cycle_open":       "Survey cycle opened",
	"survey.report_start":     "National report started",
	"survey.report_edit":      "National report changed",
	"survey.report_submit":    "National report submitted",
	"survey.report_publish":   "National report published",
	"survey.remind":           "Survey reminders sent to State administrators",
	"exercise.create":         "Exercise run created",
	"exercise.start":          "Exercise started",
	"exercise.pause":          "Exercise paused",
	"exercise.resume":         "Exercise resumed",
	"exercise.stop":           "Exercise stopped",
	"exercise.reschedule":     "Exercise planned start changed",
	"exercise.cancel":         "Exercise cancelled before it started",
	"exercise.end":            "Exercise ended at the scenario's end",
	"exercise.inject":         "Exercise inject sent",
	"exercise.inject_now":     "Exercise inject sent at once",
	"exercise.act":            "Exercise action recorded",
	"exercise.note":           "Exercise note written",
	"scenario.create":         "Scenario written",
	"scenario.import":         "Scenario imported",
	"scenario.copy":           "Scenario copied",
	"scenario.save":           "Scenario saved as a new version",
	"scenario.share":          "Scenario shared with other States",
	"scenario.unshare":        "Scenario no longer shared",
	"scenario.withdraw":       "Scenario withdrawn",
	"scenario.install":        "Shipped scenario installed",

	"taxii.add":    "STIX objects added over TAXII",
	"taxii.delete": "STIX object deleted over TAXII",

	"library.add":    "Document added to the policy library",
	"library.edit":   "Policy library document changed",
	"library.delete": "Document withdrawn from the policy library",

	"job.retry":     "Failed job retried",
	"audit.skipped": "Unused entry number skipped",
}

// Label is the readable name of an action code.
func Label(action string) string {
	if l, ok := labels[action]; ok {
		return l
	}
	return action
}

// Action is an action code and its label, for choosing one in a filter.
type Action struct{ Code, Label string }

// Actions lists the known actions by label.
func Actions() []Action {
	out := make([]Action, 0, len(labels))
	for c, l := range labels {
		out = append(out, Action{c, l})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}
