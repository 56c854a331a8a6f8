-- Configuration for Neovim 0.11's vim.lsp.config / vim.lsp.enable, and for
-- nvim-lspconfig 2.x which uses the same lsp/<name>.lua files.
--
--   vim.opt.rtp:append("/path/to/tactful/editors/nvim")   -- or via your plugin manager
--   vim.lsp.config("tactful", { settings = { tactful = { minSeverity = "info" } } })
--   vim.lsp.enable("tactful")
--
-- init_options mirror settings.tactful unless you set them yourself.
---@type vim.lsp.Config
return {
  cmd = { "tactful", "lsp" },
  filetypes = { "mail", "markdown", "text", "gitcommit" },
  -- Nearest .tactful.toml, else the file's own folder.
  root_dir = function(bufnr, on_dir)
    on_dir(require("tactful").root_dir(bufnr))
  end,
  settings = { tactful = {} },
  before_init = function(params, config)
    if params.initializationOptions == nil or vim.tbl_isempty(params.initializationOptions) then
      params.initializationOptions = (config.settings or {}).tactful
    end
  end,
}
