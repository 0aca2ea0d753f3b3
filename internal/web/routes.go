package web

import "net/http"

// routes is the whole page surface of the web interface, in one table.
func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /assets/", s.assets.serve)
	m.HandleFunc("GET /{$}", s.home)

	// The framework catalogue is public.
	m.HandleFunc("GET /framework", s.frameworkIndex)
	m.HandleFunc("GET /framework/{id}", s.frameworkProvision)

	// Signing in.
	m.HandleFunc("GET /login", s.loginForm)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("GET /login/totp", s.totpForm)
	m.HandleFunc("POST /login/totp", s.totp)
	m.HandleFunc("POST /logout", s.logout)
	// A reset link from an administrator: the token is the credential, and
	// only the POST (a new password, typed twice) uses it up.
	m.HandleFunc("GET /reset/{token}", s.resetForm)
	m.HandleFunc("POST /reset/{token}", s.reset)

	// The directory, for signed-in participants.
	m.HandleFunc("GET /directory", s.directoryList)
	m.HandleFunc("GET /directory/export.json", s.exportJSON)
	m.HandleFunc("GET /directory/export.csv", s.exportCSV)
	m.HandleFunc("GET /directory/export.vcf", s.exportVCard)
	m.HandleFunc("GET /directory/states/{code}", s.statePage)
	m.HandleFunc("GET /directory/states/{code}/nominate", s.nominateForm)
	m.HandleFunc("POST /directory/states/{code}/nominate", s.nominate)
	m.HandleFunc("GET /directory/pocs/{id}", s.pocPage)
	m.HandleFunc("GET /directory/pocs/{id}/edit", s.editForm)
	m.HandleFunc("POST /directory/pocs/{id}/edit", s.edit)
	m.HandleFunc("POST /directory/pocs/{id}/confirm", s.confirm)
	m.HandleFunc("GET /directory/pocs/{id}/retire", s.retireForm)
	m.HandleFunc("POST /directory/pocs/{id}/retire", s.retire)
	m.HandleFunc("POST /directory/pocs/{id}/reinstate", s.reinstate)

	// Communications between States.
	m.HandleFunc("GET /messages", s.inbox)
	m.HandleFunc("GET /messages/new", s.composeForm)
	m.HandleFunc("POST /messages", s.send)
	m.HandleFunc("GET /threads/{id}", s.thread)
	m.HandleFunc("POST /messages/{id}/acknowledge", s.acknowledge)
	m.HandleFunc("POST /messages/{id}/reply", s.reply)
	m.HandleFunc("GET /attachments/{id}", s.attachment)

	// Communication checks. The /ping pages are reached from a mail's
	// link without signing in: the token is the credential, and only the
	// POST confirms.
	m.HandleFunc("GET /ping/{token}", s.pingPage)
	m.HandleFunc("POST /ping/{token}", s.pingConfirm)
	m.HandleFunc("GET /checks", s.checks)
	m.HandleFunc("POST /checks", s.createCheck)
	m.HandleFunc("GET /checks/{id}", s.checkReport)
	m.HandleFunc("GET /checks/{id}/export.csv", s.checkCSV)
	m.HandleFunc("POST /checks/{id}/publish", s.publishCheck)
	m.HandleFunc("POST /checks/challenges/{id}/acknowledge", s.acknowledgeChallenge)
	m.HandleFunc("GET /results", s.results)

	// Incidents, their assessments and findings (norm 13(b)); a
	// communication opens one or joins one.
	m.HandleFunc("GET /incidents", s.incidentList)
	m.HandleFunc("GET /incidents/new", s.incidentNewForm)
	m.HandleFunc("POST /incidents", s.incidentCreate)
	m.HandleFunc("GET /incidents/{id}", s.incidentPage)
	// The same as STIX 2.1 bundles, and a bundle imported from a file.
	m.HandleFunc("GET /incidents.stix", s.incidentsSTIX)
	m.HandleFunc("GET /incidents/{id}/stix", s.incidentSTIX)
	m.HandleFunc("GET /incidents/import", s.importForm)
	m.HandleFunc(importRoute, s.importBundle)
	m.HandleFunc("GET /incidents/{id}/edit", s.incidentEditForm)
	m.HandleFunc("POST /incidents/{id}/edit", s.incidentEdit)
	m.HandleFunc("POST /incidents/{id}/status", s.incidentStatus)
	m.HandleFunc("GET /incidents/{id}/attributions/new", s.attributionNewForm)
	m.HandleFunc("POST /incidents/{id}/attributions", s.attributionAdd)
	m.HandleFunc("GET /incidents/attributions/{id}/edit", s.attributionEditForm)
	m.HandleFunc("POST /incidents/attributions/{id}/edit", s.attributionEdit)
	m.HandleFunc("GET /incidents/{id}/findings", s.findingsForm)
	m.HandleFunc("POST /incidents/{id}/findings", s.findingSet)
	m.HandleFunc("POST /messages/{id}/incident", s.openFromMessage)
	m.HandleFunc("GET /framework/{id}/incidents", s.provisionIncidents)

	// Meetings of points of contact. The answer link of an invitation
	// mail is the credential of /meetings/answer: only the POST answers.
	m.HandleFunc("GET /meetings/answer/{token}", s.meetingAnswerPage)
	m.HandleFunc("POST /meetings/answer/{token}", s.meetingAnswer)
	m.HandleFunc("GET /meetings", s.meetingList)
	m.HandleFunc("GET /meetings/new", s.meetingNewForm)
	m.HandleFunc("POST /meetings", s.meetingCreate)
	m.HandleFunc("GET /meetings/{id}", s.meetingPage)
	// edit (GET and POST), cancel and answer (POST): see meetingAction.
	m.HandleFunc("GET /meetings/{id}/{action}", s.meetingAction)
	m.HandleFunc("POST /meetings/{id}/{action}", s.meetingAction)
	// After a meeting: attendance, minutes and documents, publication.
	// Under /meetings/{id}/records/ and /meetings/records/{rec}, for a
	// third segment of their own would overlap /meetings/answer/{token}.
	m.HandleFunc("GET /meetings/{id}/records/attendance", s.attendancePage)
	m.HandleFunc("POST /meetings/{id}/records/attendance", s.attendanceSave)
	m.HandleFunc("GET /meetings/{id}/records/documents", s.recordsPage)
	m.HandleFunc("POST /meetings/{id}/records/minutes", s.minutesAdd)
	m.HandleFunc("POST /meetings/{id}/records/files", s.fileAdd)
	m.HandleFunc("GET /meetings/{id}/records/publish", s.publishForm)
	m.HandleFunc("POST /meetings/{id}/records/publish", s.publishSave)
	m.HandleFunc("GET /meetings/records/{rec}", s.recordPage)
	m.HandleFunc("GET /meetings/records/{rec}/edit", s.recordEditForm)
	m.HandleFunc("POST /meetings/records/{rec}/edit", s.recordEdit)
	m.HandleFunc("POST /meetings/records/{rec}/withdraw", s.recordWithdraw)
	m.HandleFunc("GET /meetings/records/{rec}/download", s.recordDownload)
	// Past meetings their organisers published, for anyone.
	m.HandleFunc("GET /meetings/public", s.publicMeetings)
	m.HandleFunc("GET /meetings/public/{id}", s.publicMeeting)
	m.HandleFunc("GET /meetings/public/files/{rec}", s.publicFile)

	// Exercise scenarios. edit (GET and POST), export (GET), copy, share,
	// unshare and withdraw (POST): see scenarioAction.
	m.HandleFunc("GET /exercises/scenarios", s.scenarioList)
	m.HandleFunc("GET /exercises/scenarios/new", s.scenarioNewForm)
	m.HandleFunc("POST /exercises/scenarios", s.scenarioCreate)
	m.HandleFunc("GET /exercises/scenarios/import", s.scenarioImportForm)
	m.HandleFunc("POST /exercises/scenarios/import", s.scenarioImport)
	m.HandleFunc("GET /exercises/scenarios/{id}", s.scenarioPage)
	m.HandleFunc("GET /exercises/scenarios/{id}/{action}", s.scenarioAction)
	m.HandleFunc("POST /exercises/scenarios/{id}/{action}", s.scenarioAction)
	// Exercise runs. The player's page of an inject is the link of the
	// inject mails (notify.ExercisePath); its pattern has a wildcard for
	// "injects", for one of its own would overlap the scenarios' routes.
	m.HandleFunc("GET /exercises", s.exerciseList)
	m.HandleFunc("GET /exercises/new", s.exerciseNewForm)
	m.HandleFunc("POST /exercises", s.exerciseCreate)
	m.HandleFunc("GET /exercises/{run}", s.exercisePage)
	// report (GET); start, pause, resume, stop, inject and notes (POST):
	// see exerciseAction.
	m.HandleFunc("GET /exercises/{run}/{action}", s.exerciseAction)
	m.HandleFunc("POST /exercises/{run}/{action}", s.exerciseAction)
	m.HandleFunc("GET /exercises/{run}/{action}/{key}", s.exerciseInjectRoute)
	m.HandleFunc("POST /exercises/{run}/{action}/{key}", s.exerciseInjectRoute)
	// The private calendar feed, fetched by calendar programs: the secret
	// in /calendar/{secret}.ics is the credential.
	m.HandleFunc("GET /calendar/{file}", s.calendarFeed)

	// What States choose to make known, gathered on one page.
	m.HandleFunc("GET /transparency", s.transparency)
	// State profiles: public, each part read through its own domain.
	m.HandleFunc("GET /profiles", s.profileIndex)
	m.HandleFunc("GET /profiles/compare", s.profileCompare)
	m.HandleFunc("GET /profiles/{code}", s.profilePage)
	// Capacity-building needs and offers (CBM 5), their suggestions and
	// partnerships; the published partnerships are public.
	m.HandleFunc("GET /capacity", s.capacityNeeds)
	m.HandleFunc("GET /capacity/offers", s.capacityOffers)
	m.HandleFunc("GET /capacity/partnerships", s.capacityPartnerships)
	m.HandleFunc("GET /capacity/partnerships/{id}", s.capacityPartnershipPage)
	m.HandleFunc("GET /capacity/needs/new", s.capacityNeedNew)
	m.HandleFunc("POST /capacity/needs", s.capacityNeedCreate)
	m.HandleFunc("GET /capacity/needs/{id}", s.capacityNeedPage)
	m.HandleFunc("GET /capacity/needs/{id}/edit", s.capacityNeedEdit)
	m.HandleFunc("POST /capacity/needs/{id}/edit", s.capacityNeedUpdate)
	m.HandleFunc("GET /capacity/offers/new", s.capacityOfferNew)
	m.HandleFunc("POST /capacity/offers", s.capacityOfferCreate)
	m.HandleFunc("GET /capacity/offers/{id}", s.capacityOfferPage)
	m.HandleFunc("GET /capacity/offers/{id}/edit", s.capacityOfferEdit)
	m.HandleFunc("POST /capacity/offers/{id}/edit", s.capacityOfferUpdate)
	m.HandleFunc("POST /capacity/partnerships", s.capacityPropose)
	// accept, decline and publish: see capacityPartnershipAction.
	m.HandleFunc("POST /capacity/partnerships/{id}/{action}", s.capacityPartnershipAction)
	// The policy library (CBM 7, 8): documents States share, searched in
	// full text; what a viewer may not read is neither listed nor found.
	m.HandleFunc("GET /library", s.libraryList)
	m.HandleFunc("GET /library/new", s.libraryNew)
	m.HandleFunc("POST /library", s.libraryCreate)
	m.HandleFunc("GET /library/{id}", s.libraryPage)
	m.HandleFunc("GET /library/{id}/file", s.libraryFile)
	m.HandleFunc("GET /library/{id}/edit", s.libraryEdit)
	m.HandleFunc("POST /library/{id}/edit", s.libraryUpdate)
	m.HandleFunc("POST /library/{id}/delete", s.libraryDelete)

	// The national survey: cycles are public; a report is read as the
	// survey service allows, and exported at {id}.json and {id}.csv.
	m.HandleFunc("GET /survey", s.surveyCycles)
	m.HandleFunc("POST /survey/cycles", s.surveyOpenCycle)
	m.HandleFunc("GET /survey/cycles/{id}", s.surveyCycle)
	m.HandleFunc("POST /survey/cycles/{id}/start", s.surveyStart)
	m.HandleFunc("GET /survey/reports/{id}", s.surveyReport)
	m.HandleFunc("GET /survey/reports/{id}/edit", s.surveyEdit)
	m.HandleFunc("POST /survey/reports/{id}/edit", s.surveySave)
	m.HandleFunc("POST /survey/reports/{id}/submit", s.surveySubmit)
	m.HandleFunc("POST /survey/reports/{id}/publish", s.surveyPublish)
	m.HandleFunc("GET /survey/reports/{id}/history", s.surveyHistory)
	m.HandleFunc("GET /survey/reports/{id}/changes", s.surveyChanges)

	// The language of the pages, from the switcher every page has.
	m.HandleFunc("POST /language", s.setLanguage)

	// The signed-in person's own account.
	m.HandleFunc("GET /account", s.accountPage)
	m.HandleFunc("POST /account/password", s.changePassword)
	m.HandleFunc("POST /account/tokens", s.createToken)
	m.HandleFunc("POST /account/tokens/{id}/revoke", s.revokeToken)
	m.HandleFunc("POST /account/calendar", s.createFeed)
	m.HandleFunc("POST /account/calendar/revoke", s.revokeFeed)

	// Administration: services limit each page to the roles that may use it.
	m.HandleFunc("GET /admin/accounts", s.adminAccounts)
	m.HandleFunc("POST /admin/accounts", s.adminCreateAccount)
	m.HandleFunc("POST /admin/accounts/{id}/disable", s.adminDisable)
	m.HandleFunc("POST /admin/accounts/{id}/enable", s.adminEnable)
	m.HandleFunc("POST /admin/accounts/{id}/reset", s.adminReset)
	m.HandleFunc("GET /admin/templates", s.adminTemplates)
	m.HandleFunc("GET /admin/templates/{type}", s.adminTemplate)
	m.HandleFunc("POST /admin/templates/{type}", s.publishTemplate)
	m.HandleFunc("GET /admin/states", s.adminStates)
	m.HandleFunc("POST /admin/states/{code}/participation", s.adminParticipation)
	m.HandleFunc("GET /admin/audit", s.adminAudit)
	m.HandleFunc("GET /admin/webhooks", s.webhooks)
	m.HandleFunc("POST /admin/webhooks", s.createWebhook)
	m.HandleFunc("GET /admin/webhooks/{id}", s.webhookPage)
	m.HandleFunc("POST /admin/webhooks/{id}/disable", s.disableWebhook)
	m.HandleFunc("POST /admin/webhooks/{id}/enable", s.enableWebhook)
	m.HandleFunc("POST /admin/webhooks/{id}/rotate", s.rotateWebhook)
	m.HandleFunc("POST /admin/webhooks/{id}/delete", s.deleteWebhook)

	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.renderError(w, r, errNotFound) })
}
