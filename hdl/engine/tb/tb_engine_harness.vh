// tb_engine_harness.vh: testbench machinery shared by the tag_crypto_engine testbenches
// (nea2_ctr_tb, nia2_cmac_tb, tag_crypto_engine_tb). Plain Verilog-2005 text, `include'd inside
// the testbench module (not RTL: no module of its own, not linted or synthesized).
//
// The including module declares, before the `include:
//   localparam integer AW        frame buffer address width (buffer of 1 << AW octets)
//   localparam integer ND        number of engine instances on the shared bus (1 or more)
//   localparam integer SEED      $random seed
//   localparam integer ACK_RATE  random-delay memory: 1 -> acknowledge on 1 cycle in 4,
//                                3 -> on 3 cycles in 4
// and after it instantiates tag_crypto_engine instance G (0 .. ND-1) with the port list
// `TB_ENGINE_PORTS(G). Only the selected instance (sel) sees cmd_valid, rsp_ready and mem_ack;
// cmd_ready, rsp_*, mem_* below are the selected instance's.
//
// Provided: clock, reset, zeroize (to the selected instance), the command/response bus, a frame buffer model mem[] with random
// acknowledge delays and random read data while not acknowledged (ack_mode 0: zero wait),
// random response stalls, protocol checks (memory request stable until acknowledged, response
// held until taken, no memory request from an unselected instance), write counting (nwrites),
// cycle counting (cycles, op_cycles of the last command), tasks scramble / issue / check /
// start, the pass/fail counters, a reader of test vector records (vec, vec_record) and a timeout.
// Key store (DERIVE): ltk_key (32 octets, octet 0 = ltk_key[255:248]) and ltk_len32, read
// combinationally by each instance through its ltk_idx; ltk_idx must be 0 outside a command.
// HASH / DERIVE: cmd_hcfg is HASH's command octet; mem_we during a DERIVE fails (der_writes).
// tb_noraw = 1: the selected instance has no LOAD_KEYS / HASH (RAW_OPS = 0) or no HASH
// (HAS_KDF = 0): issue sends their command octets none.
// Frame buffer ownership: the engine's mem_own must be high from the cycle after a command
// handshake until the response handshake, equal !cmd_ready outside reset / zeroize cycles (it
// covers the scrub too), and cover every memory request (checked every cycle).
// A second bus master (om_*) writes random octets into [om_lo, om_hi) in every cycle om_go is
// high; this harness, as the integration, refuses its writes while any instance holds mem_own
// (om_refused counts them) unless om_ignore_own is set (to show what the rule prevents).

  reg clk = 1'b0;
  always #5 clk = ~clk;
  reg            rst_n = 1'b0;
  reg            zeroize = 1'b0;  // to the selected instance
  reg            cmd_valid = 1'b0;
  reg  [2:0]     cmd_op = 3'd0;
  // fields sent as command octets (dat_*) after the handshake: keys for LOAD_KEYS, COUNT /
  // BEARER / DIRECTION for NEA2 / NIA2
  reg  [127:0]   cmd_key_enc = 128'd0, cmd_key_int = 128'd0;
  reg  [31:0]    cmd_count = 32'd0;
  reg  [4:0]     cmd_bearer = 5'd0;
  reg            cmd_direction = 1'b0;
  reg            dat_valid = 1'b0;
  reg  [7:0]     dat_data = 8'h00;
  reg            dat_expect = 1'b0;  // the selected instance may take an octet
  reg  [AW-1:0]  cmd_addr = {AW{1'b0}};
  reg  [AW+3:0]  cmd_len = {(AW+4){1'b0}};
  reg            rsp_ready = 1'b0;
  reg            ack_en = 1'b0;
  reg  [7:0]     junk = 8'h00;
  reg  [7:0]     mem [0:(1<<AW)-1];
  integer        sel = 0;        // selected engine instance
  // Per-instance clocks (simulation speed): instance G runs on gclk[G], which is clk while G is
  // selected or reset is low (and always with +clock_all); an idle instance is then frozen, not
  // simulated. Its enable is latched while clk is low (a clock gate), so a change of sel at any
  // time gives no short pulse. An instance holds its state while unselected, which a testbench
  // may rely on only through the selected instance's ports (as the checks below do).
  reg  [ND-1:0]  ck_on = {ND{1'b1}};
  reg            ck_all = 1'b0;
  integer        ck_i;
  initial if ($test$plusargs("clock_all")) ck_all = 1'b1;
  always @(*) if (!clk) for (ck_i = 0; ck_i < ND; ck_i = ck_i + 1) ck_on[ck_i] = ck_all || !rst_n || (sel == ck_i);
  wire [ND-1:0]  gclk = {ND{clk}} & ck_on;
  integer        qi;             // instance index of the per-cycle output checks
  reg  [255:0]   ltk_key = 256'd0;
  reg            ltk_len32 = 1'b0;
  reg  [7:0]     cmd_hcfg = 8'h00;
  reg            tb_noraw = 1'b0;
  wire [5*ND-1:0] ltk_idx_v;
  function [7:0] ltk_oct; input [4:0] i; begin ltk_oct = ltk_key[255 - 8*i -: 8]; end endfunction

  wire [ND-1:0]    cmd_ready_v, dat_ready_v, rsp_valid_v, mem_req_v, mem_we_v, mem_own_v;
  wire [3*ND-1:0]  rsp_status_v;
  wire [32*ND-1:0] rsp_mac_v;
  wire [AW*ND-1:0] mem_addr_v;
  wire [8*ND-1:0]  mem_wdata_v;
  wire           cmd_ready  = cmd_ready_v[sel];
  wire           dat_ready  = dat_ready_v[sel];
  wire           rsp_valid  = rsp_valid_v[sel];
  wire [2:0]     rsp_status = rsp_status_v[3*sel +: 3];
  wire [31:0]    rsp_mac    = rsp_mac_v[32*sel +: 32];
  wire           mem_req    = mem_req_v[sel];
  wire           mem_we     = mem_we_v[sel];
  wire [AW-1:0]  mem_addr   = mem_addr_v[AW*sel +: AW];
  wire [7:0]     mem_wdata  = mem_wdata_v[8*sel +: 8];
  wire           mem_own    = mem_own_v[sel];
  wire           mem_ack    = mem_req && ack_en;
  wire [7:0]     mem_rdata  = mem_ack ? mem[mem_addr] : junk;

`define TB_ENGINE_PORTS(G) \
    .clk(gclk[G]), .rst_n(rst_n), .zeroize(zeroize && sel == (G)), \
    .cmd_valid(cmd_valid && sel == (G)), .cmd_ready(cmd_ready_v[G]), \
    .cmd_op(cmd_op), .cmd_addr(cmd_addr), .cmd_len(cmd_len), \
    .dat_valid(dat_valid && sel == (G)), .dat_ready(dat_ready_v[G]), .dat_data(dat_data), \
    .rsp_valid(rsp_valid_v[G]), .rsp_ready(rsp_ready && sel == (G)), .rsp_status(rsp_status_v[3*(G) +: 3]), \
    .rsp_mac(rsp_mac_v[32*(G) +: 32]), .mem_req(mem_req_v[G]), .mem_we(mem_we_v[G]), \
    .mem_addr(mem_addr_v[AW*(G) +: AW]), .mem_wdata(mem_wdata_v[8*(G) +: 8]), \
    .mem_ack(mem_ack && sel == (G)), .mem_rdata(mem_rdata), .mem_own(mem_own_v[G]), \
    .ltk_idx(ltk_idx_v[5*(G) +: 5]), .ltk_data(ltk_oct(ltk_idx_v[5*(G) +: 5])), .ltk_len32(ltk_len32)

  integer seed = SEED;
  integer npass = 0, nfail = 0;
  integer nwrites = 0;
  integer ack_mode = 1;          // 0: zero wait, 1: random delays, 2: never (memory and rsp_ready),
                                 // 3: zero-wait memory, rsp_ready never
  integer cycles = 0, t0 = 0, op_cycles = 0;
  integer first_write = -1;      // cycle of the first write of the current command
  reg [2:0]  got_status;
  reg [31:0] got_mac;

  initial if (ND < 1 || (ACK_RATE != 1 && ACK_RATE != 3)) begin
    $display("ERROR: tb_engine_harness: ND %0d / ACK_RATE %0d not supported", ND, ACK_RATE);
    $finish;
  end

  // memory model + protocol checks (mem request stable until acknowledged, response held)
  reg            p_req = 1'b0, p_we = 1'b0, p_rv = 1'b0;
  reg [AW-1:0]   p_addr;
  reg [7:0]      p_wdata;
  reg [2:0]      p_st;
  reg [31:0]     p_mac;
  reg            in_cmd = 1'b0;  // a command of the selected instance is in progress
  reg  [2:0]     in_op = 3'd0;   // its operation
  integer        der_writes = 0; // mem_we cycles during a DERIVE
  // the second bus master
  reg            om_go = 1'b0, om_ignore_own = 1'b0;
  integer        om_lo = 0, om_hi = 1, om_writes = 0, om_refused = 0, om_a;
  always @(posedge clk) begin
    if (om_go) begin
      om_a = om_lo + {$random(seed)} % (om_hi - om_lo);
      if ((mem_own_v != 0) && !om_ignore_own) om_refused = om_refused + 1;
      else begin mem[om_a] <= $random(seed); om_writes = om_writes + 1; end
    end
    if ((in_cmd && !mem_own) || (rst_n && !zeroize && (mem_own !== !cmd_ready))) begin
      $display("FAIL: mem_own %b (cmd_ready %b) while a command is %0s (cycle %0d)", mem_own, cmd_ready,
               in_cmd ? "in progress" : "not in progress", cycles);
      nfail = nfail + 1;
    end
    if (in_cmd && in_op == 3'd7 && mem_we) der_writes = der_writes + 1;
    for (qi = 0; qi < ND; qi = qi + 1)
      if (!mem_own_v[qi] && ltk_idx_v[5*qi +: 5] != 5'd0) begin
        $display("FAIL: instance %0d: ltk_idx %0d outside a command", qi, ltk_idx_v[5*qi +: 5]); nfail = nfail + 1;
      end
    if (rst_n && zeroize && cmd_ready) begin
      $display("FAIL: cmd_ready while zeroize is high"); nfail = nfail + 1;
    end
    if (mem_req && mem_ack && mem_we) begin
      mem[mem_addr] <= mem_wdata; nwrites = nwrites + 1;
      if (first_write < 0) first_write = cycles;
    end
    if (!rst_n && (cmd_ready_v != 0)) begin
      $display("FAIL: cmd_ready during reset"); nfail = nfail + 1;
    end
    if (dat_ready && !dat_expect) begin
      $display("FAIL: command octet taken when none is expected"); nfail = nfail + 1;
    end
    if (rsp_valid && dat_expect) begin
      $display("FAIL: response before the last command octet"); nfail = nfail + 1;
    end
    if ((mem_req_v & ~(1 << sel)) != 0) begin
      $display("FAIL: unselected instance requests memory"); nfail = nfail + 1;
    end
    // outputs not in use carry nothing (every instance, every cycle): mem_wdata unless a write
    // is requested, rsp_mac unless a response is offered
    for (qi = 0; qi < ND; qi = qi + 1) begin
      if (!(mem_req_v[qi] && mem_we_v[qi]) && (mem_wdata_v[8*qi +: 8] != 8'h00)) begin
        $display("FAIL: instance %0d: mem_wdata %02h with no write", qi, mem_wdata_v[8*qi +: 8]);
        nfail = nfail + 1;
      end
      if (!rsp_valid_v[qi] && (rsp_mac_v[32*qi +: 32] != 32'h0)) begin
        $display("FAIL: instance %0d: rsp_mac %08h with no response", qi, rsp_mac_v[32*qi +: 32]);
        nfail = nfail + 1;
      end
      if (mem_req_v[qi] && !mem_own_v[qi]) begin
        $display("FAIL: instance %0d: memory request without mem_own", qi); nfail = nfail + 1;
      end
    end
    if (p_req && !(mem_req && mem_we == p_we && mem_addr == p_addr && (!p_we || mem_wdata == p_wdata))) begin
      $display("FAIL: memory request changed before acknowledge"); nfail = nfail + 1;
    end
    if (p_rv && !(rsp_valid && rsp_status == p_st && rsp_mac == p_mac)) begin
      $display("FAIL: response changed before it was taken"); nfail = nfail + 1;
    end
    // a zeroize withdraws a pending memory request or response
    p_req <= mem_req && !mem_ack && !zeroize; p_we <= mem_we; p_addr <= mem_addr; p_wdata <= mem_wdata;
    p_rv <= rsp_valid && !rsp_ready && !zeroize; p_st <= rsp_status; p_mac <= rsp_mac;
    if (!rst_n || zeroize || (rsp_valid && rsp_ready)) in_cmd <= 1'b0;
    else if (cmd_valid && cmd_ready) begin in_cmd <= 1'b1; in_op <= cmd_op; end
    cycles = cycles + 1;
    if (nfail > 100) begin
      $display("%m: %0d passed, %0d failed (stopped after 100 failures)", npass, nfail);
      $finish;
    end
  end
  always @(negedge clk) begin
    ack_en    <= (ack_mode == 0 || ack_mode == 3) ? 1'b1 : (ack_mode == 2) ? 1'b0 :
                 (ACK_RATE == 1) ? (($random(seed) & 3) == 0) : (($random(seed) & 3) != 0);
    rsp_ready <= (ack_mode == 0) ? 1'b1 : (ack_mode >= 2) ? 1'b0 : (($random(seed) & 3) != 0);
    junk      <= $random(seed);
  end

  // random command fields (outside the handshake they must not matter)
  task scramble; begin
    cmd_op = $random(seed); cmd_key_enc = {4{$random(seed)}}; cmd_key_int = {4{$random(seed)}};
    cmd_count = $random(seed); cmd_bearer = $random(seed); cmd_direction = $random(seed);
    cmd_addr = $random(seed); cmd_len = $random(seed);
    if (!dat_valid) dat_data = $random(seed);
  end endtask

  // random frame buffer and command fields, then release reset after three cycles
  integer tb_k;
  task start; begin
    for (tb_k = 0; tb_k < (1 << AW); tb_k = tb_k + 1) mem[tb_k] = $random(seed);
    scramble;
    repeat (3) @(posedge clk);
    #1 rst_n = 1'b1;
  end endtask

  // issue the command held in the cmd_* registers to the selected instance, send its command
  // octets (random stalls before each octet; an offered octet is held until taken), wait for the
  // response
  integer        tb_nd, tb_i;
  reg  [255:0]   tb_oct;
  task issue; begin
    tb_nd  = (cmd_op == 3'd0) ? (tb_noraw ? 0 : 32) : (cmd_op == 3'd2 || cmd_op == 3'd3) ? 5 :
             (cmd_op == 3'd6) ? (tb_noraw ? 0 : 1) : 0;
    tb_oct = (cmd_op == 3'd0) ? {cmd_key_enc, cmd_key_int} :
             (cmd_op == 3'd6) ? {cmd_hcfg, 248'd0}
                              : {cmd_count, cmd_bearer, cmd_direction, 2'b00, 216'd0};
    @(negedge clk);
    cmd_valid = 1'b1;
    @(posedge clk);
    while (!cmd_ready) @(posedge clk);
    t0 = cycles; first_write = -1;
    #1 cmd_valid = 1'b0;
    dat_expect = (tb_nd > 0);
    scramble;
    for (tb_i = 0; tb_i < tb_nd; tb_i = tb_i + 1) begin
      @(negedge clk);
      while (ack_mode != 0 && ($random(seed) & 3) == 0) begin dat_data = $random(seed); @(negedge clk); end
      dat_valid = 1'b1; dat_data = tb_oct[255 - 8*tb_i -: 8];
      @(posedge clk);
      while (!dat_ready) @(posedge clk);
      #1 dat_valid = 1'b0; dat_data = $random(seed);
      if (tb_i == tb_nd - 1) dat_expect = 1'b0;
    end
    @(posedge clk);
    while (!(rsp_valid && rsp_ready)) @(posedge clk);
    op_cycles = cycles - t0;
    got_status = rsp_status; got_mac = rsp_mac;
  end endtask

  task check; input ok; input [8*56-1:0] what; begin
    if (ok) npass = npass + 1;
    else begin
      nfail = nfail + 1;
      if (ND > 1) $display("FAIL: %0s (dut %0d, status %0d)", what, sel, got_status);
      else        $display("FAIL: %0s", what);
    end
  end endtask

  // test vector records of hdl/engine/tb/tbvec.py (nea2_vec.memh / nia2_vec.memh), $readmemh'd into
  // vec[] by the testbench: vector count (2 octets), then per vector key (16), COUNT (4), BEARER,
  // DIRECTION, bit length (2), then the data. vec_record reads the header at p and moves p past it.
  reg [7:0] vec [0:16383];
  task vec_record; inout integer p; output [127:0] key; output [31:0] cnt; output [4:0] bearer;
    output dir; output integer bits; output integer n; integer k; begin
    for (k = 0; k < 16; k = k + 1) key[127 - 8*k -: 8] = vec[p + k];
    cnt    = {vec[p+16], vec[p+17], vec[p+18], vec[p+19]};
    bearer = vec[p+20];
    dir    = vec[p+21];
    bits   = {vec[p+22], vec[p+23]};
    n      = (bits + 7) / 8;
    p      = p + 24;
  end endtask

  initial begin
    #200000000;
    $display("FAIL: timeout");
    $display("%m: %0d passed, %0d failed", npass, nfail + 1);
    $finish;
  end
