-- Headless Neovim side of the root-detection test in tests/nvim_e2e.rs.
-- Env: TACTFUL_WITH_MARKER (a file under a folder with .tactful.toml),
--      TACTFUL_WITHOUT_MARKER (a file with none above), TACTFUL_OUT.
local result = {}
local ok, err = xpcall(function()
  local tactful = require("tactful")
  local with, without = os.getenv("TACTFUL_WITH_MARKER"), os.getenv("TACTFUL_WITHOUT_MARKER")

  -- The plugin's own rule (used by setup() and lsp/tactful.lua).
  for key, file in pairs({ with = with, without = without }) do
    vim.cmd.edit(vim.fn.fnameescape(file))
    result["plugin_" .. key] = tactful.root_dir(0)
    local lsp_cfg = dofile(vim.api.nvim_get_runtime_file("lsp/tactful.lua", false)[1])
    lsp_cfg.root_dir(vim.api.nvim_get_current_buf(), function(root)
      result["lsp_file_" .. key] = root
    end)
  end

  -- The legacy nvim-lspconfig registration, against a stand-in for lspconfig.configs.
  package.loaded["lspconfig.configs"] = {}
  local registered = require("tactful.lspconfig").register()
  result.lspconfig_cmd = registered.default_config.cmd
  result.lspconfig_filetypes = registered.default_config.filetypes
  result.lspconfig_with = registered.default_config.root_dir(with)
  result.lspconfig_without = registered.default_config.root_dir(without)
  result.lspconfig_same_table = require("lspconfig.configs").tactful == registered
end, debug.traceback)
result.ok = ok
result.error = (not ok) and tostring(err) or nil
local f = assert(io.open(os.getenv("TACTFUL_OUT"), "w"))
f:write(vim.json.encode(result))
f:close()
vim.cmd(ok and "qall!" or "cquit 3")
