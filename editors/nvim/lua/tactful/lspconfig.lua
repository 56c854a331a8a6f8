--- Registration for nvim-lspconfig's legacy framework (`require("lspconfig").tactful.setup{}`).
---
---   require("tactful.lspconfig").register()
---   require("lspconfig").tactful.setup({ settings = { tactful = { minSeverity = "info" } } })
---
--- With Neovim 0.11 and nvim-lspconfig 2.x prefer lsp/tactful.lua: vim.lsp.enable("tactful").
local M = {}

--- The lspconfig-style table: { default_config = ..., docs = ... }.
M.config = {
  default_config = {
    cmd = { "tactful", "lsp" },
    filetypes = { "mail", "markdown", "text", "gitcommit" },
    -- Nearest .tactful.toml, else the file's own folder.
    root_dir = function(fname)
      local found = vim.fs.find(".tactful.toml", { path = vim.fs.dirname(fname), upward = true })[1]
      return vim.fs.dirname(found or fname)
    end,
    single_file_support = true,
    settings = { tactful = {} },
    on_new_config = function(config)
      config.init_options = (config.settings or {}).tactful
    end,
  },
  docs = {
    description = [[
tactful: flags tone and trust risks in emails while they are written, with rewordings as quick fixes.
Settings live in the section "tactful": packs, rules, minSeverity, debounceMs, languages.
]],
  },
}

--- Add `tactful` to lspconfig's configs (idempotent).
function M.register()
  local configs = require("lspconfig.configs")
  if not configs.tactful then
    configs.tactful = M.config
  end
  return configs.tactful
end

return M
