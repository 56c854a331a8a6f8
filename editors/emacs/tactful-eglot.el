;;; tactful-eglot.el --- tactful through Eglot  -*- lexical-binding: t; -*-

;; Eglot is built into Emacs 29 and newer; on Emacs 28 install it first
;; (M-x package-install RET eglot, or Debian's elpa-eglot).
;; Load this file from your init (or copy the forms into it):
;;   (load "/path/to/tactful/editors/emacs/tactful-eglot.el")

(require 'eglot)

;; Mutt, neomutt and aerc hand their compose file to $EDITOR; edit it in message-mode.
(add-to-list 'auto-mode-alist '("/\\(?:neo\\)?mutt-[^/]*\\'" . message-mode))
(add-to-list 'auto-mode-alist '("/aerc-compose-[^/]*\\'" . message-mode))
(add-to-list 'auto-mode-alist '("\\.eml\\'" . message-mode))

;; The language ids are the ones the server checks by default.
(add-to-list 'eglot-server-programs
             '(((message-mode :language-id "mail")
                (mail-mode :language-id "mail")
                (markdown-mode :language-id "markdown")
                (git-commit-mode :language-id "gitcommit")
                (text-mode :language-id "plaintext"))
               . ("tactful" "lsp")))

;; The server's "tactful" settings section (answers workspace/configuration).
;; Per project, put the same in .dir-locals.el as eglot-workspace-configuration.
(setq-default eglot-workspace-configuration
              '(:tactful (:minSeverity "hint")))

;; A folder with .tactful.toml is the workspace root when no VCS root claims the file.
(defun tactful-eglot-project (dir)
  "A transient project at the nearest .tactful.toml above DIR, if any."
  (let ((root (locate-dominating-file dir ".tactful.toml")))
    (and root (cons 'transient (expand-file-name root)))))
(add-hook 'project-find-functions #'tactful-eglot-project 90)

;; Start it for mail, Markdown, commit messages and plain text (not every text-mode child).
(dolist (hook '(message-mode-hook mail-mode-hook markdown-mode-hook git-commit-mode-hook))
  (add-hook hook #'eglot-ensure))
(add-hook 'text-mode-hook
          (lambda () (when (eq major-mode 'text-mode) (eglot-ensure))))

(provide 'tactful-eglot)
;;; tactful-eglot.el ends here
