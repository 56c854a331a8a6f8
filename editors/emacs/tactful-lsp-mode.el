;;; tactful-lsp-mode.el --- tactful through lsp-mode  -*- lexical-binding: t; -*-

;; With lsp-mode installed, load this file from your init:
;;   (load "/path/to/tactful/editors/emacs/tactful-lsp-mode.el")
;; tactful runs as an add-on server, beside any other server of the buffer.

(require 'lsp-mode)

(defgroup lsp-tactful nil
  "tactful: tone and trust risks in email."
  :group 'lsp-mode)

(defcustom lsp-tactful-path "tactful"
  "The tactful binary."
  :type 'string)

(defcustom lsp-tactful-min-severity "hint"
  "Report findings at least this severe: hint, info, warning or error."
  :type '(choice (const "hint") (const "info") (const "warning") (const "error")))

(defcustom lsp-tactful-packs ["default"]
  "Rule packs: built-in names or paths of .toml packs (a vector)."
  :type '(vector string))

;; Mutt, neomutt and aerc compose files are mail.
(add-to-list 'auto-mode-alist '("/\\(?:neo\\)?mutt-[^/]*\\'" . message-mode))
(add-to-list 'auto-mode-alist '("/aerc-compose-[^/]*\\'" . message-mode))
(add-to-list 'auto-mode-alist '("\\.eml\\'" . message-mode))

;; A folder with .tactful.toml is the workspace root when no VCS root claims the file
;; (lsp-mode asks project.el when it guesses a root).
(defun tactful-lsp-project (dir)
  "A transient project at the nearest .tactful.toml above DIR, if any."
  (let ((root (locate-dominating-file dir ".tactful.toml")))
    (and root (cons 'transient (expand-file-name root)))))
(add-hook 'project-find-functions #'tactful-lsp-project 90)

;; Language ids the server checks (text-mode -> "plaintext", markdown-mode ->
;; "markdown" are lsp-mode's own).
(add-to-list 'lsp-language-id-configuration '(message-mode . "mail"))
(add-to-list 'lsp-language-id-configuration '(mail-mode . "mail"))
(add-to-list 'lsp-language-id-configuration '(git-commit-mode . "gitcommit"))

;; The server's "tactful" settings section.
(lsp-register-custom-settings
 '(("tactful.minSeverity" lsp-tactful-min-severity)
   ("tactful.packs" lsp-tactful-packs)))

(lsp-register-client
 (make-lsp-client
  :new-connection (lsp-stdio-connection (lambda () (list lsp-tactful-path "lsp")))
  :activation-fn (lsp-activate-on "mail" "markdown" "plaintext" "gitcommit")
  :server-id 'tactful
  :add-on? t
  :priority -2
  :initialization-options (lambda () (gethash "tactful" (lsp-configuration-section "tactful")))
  :initialized-fn (lambda (workspace)
                    (with-lsp-workspace workspace
                      (lsp--set-configuration (lsp-configuration-section "tactful"))))))

(dolist (hook '(message-mode-hook mail-mode-hook markdown-mode-hook git-commit-mode-hook))
  (add-hook hook #'lsp-deferred))

(provide 'tactful-lsp-mode)
;;; tactful-lsp-mode.el ends here
