// engine_uart_bridge: the tag crypto engine on a UART, for a lab host (hdl/bridge/PROTOCOL.md is
// the byte-level protocol; src/engine/serial/wire.rs is the host's definition of it). Portable
// Verilog (no vendor cells): uart_rx + uart_tx (8N1, CLKS_PER_BIT clocks per bit), one bit-serial
// CRC-16/CCITT-FALSE (crc16_ccitt), the request parser / response writer below, the engine
// (tag_crypto_engine), its frame buffer (2^ADDR_W octets, one port, inferred block RAM) and the
// staging buffer (MAX_DATA + 2 octets, inferred block RAM). KEYS CROSS THE WIRE IN CLEAR TEXT
// (LOAD_KEYS octets): a verification interface, not a tag interface.
//
// Request:  A5 SEQ OP LEN(2) PAYLOAD CRC(2)      Response: 5A SEQ STATUS LEN(2) PAYLOAD CRC(2)
// (big-endian; CRC over SEQ .. PAYLOAD). OP: 00 PING, 01 WRITE, 02 READ, 03 COMMAND, 04 RESET.
// STATUS: 00 OK, 01 ERR_CRC, 02 ERR_LEN, 03 ERR_OP, 04 ERR_BUSY, 05 ERR_TIMEOUT, 06 ERR_FRAMING,
// 07 ERR_RANGE, 08 ERR_OCTETS, 09 ERR_ABORTED.
//
// Behaviour
//   * Half duplex: one thread parses a request, then writes its response; octets that arrive while
//     a response (or the staging-buffer clear before it) is being written are skipped like octets
//     outside a frame. Outside a frame every octet but A5 is skipped.
//   * Inside a frame (after A5): a framing error answers ERR_FRAMING, TIMEOUT_CLKS clocks without
//     an octet answer ERR_TIMEOUT (SEQ 00 when the frame was cut before SEQ), LEN over
//     MAX_DATA + 2 answers ERR_LEN right after the LEN field; the parser then hunts for A5.
//   * Once the whole frame is in, the checks in this order: CRC, OP, LEN for OP, busy, range; a
//     rejected frame changes nothing (its payload only reached the staging buffer, whose content
//     is never used for a rejected frame; while a command runs no payload is stored at all).
//   * COMMAND is generic: ENG_OP / ADDR / ELEN go to cmd_op / cmd_addr / cmd_len, the OCTETS are
//     offered on the engine's command-octet port from the staging buffer; a command runs in the
//     background (PING answered, WRITE / READ / COMMAND refused with ERR_BUSY, RESET taken) and
//     its response (ENG_STATUS, MAC, CYCLES) is written when the engine answers and no other frame
//     is being handled. CYCLES: clock cycles from the command handshake to the engine's response
//     (the cycle after the handshake is 1, the first cycle of rsp_valid is counted). The engine
//     holds its response (rsp_ready low) until the response frame has been written. An octet
//     asked for after the last one given: the engine is zeroized, ERR_OCTETS.
//   * RESET (and rst_n): zeroize the engine (one-cycle pulse), clear the bridge's registers and the
//     staging buffer (MAX_DATA + 2 cycles plus one per octet skipped meanwhile, overlapping the
//     engine's 32-cycle scrub); a command
//     running at RESET first gets ERR_ABORTED (its SEQ), then RESET answers OK.
//   * Secrets: the staging buffer (which holds LOAD_KEYS octets) is cleared at reset, at RESET, and
//     before every response when anything was written to it (MAX_DATA + 2 cycles; not while a
//     command still needs its octets); its read register is 0 one cycle after such a clear. The
//     UART's receive registers are 0 once their octet is taken. No key is ever read back.
//   * led_busy: a command is running; led_err: the last response was an error.
// Structure (for area on the iCE40): the FSM only picks the next state; every register has a
// few named load conditions (the control strobes below) so the multiplexers in front of the
// registers are only as wide as their real sources. The 4 octets after LEN (5 for COMMAND) pass
// a byte shift chain rx -> f_q -> a_q that leaves ADDR in a_q and COUNT / ELEN in f_q; one index
// i_q walks the payload, the clear, the WRITE copy and the response (header, payload, CRC: one
// transmit state each); the response octet (0 outside the transmit states) ORed with the
// received octet (0 but in its valid cycle) is the one octet bus into the transmitter and the
// CRC; the clear of the staging buffer writes the received-octet bus in cycles without an octet
// (so the staging buffer's write data has no multiplexer). Both buffers are block RAM without
// read-during-write logic (no_rw_check: such a read is never used).
// Parameters: CLKS_PER_BIT >= 4 (board: 12 MHz / baud), TIMEOUT_CLKS (board: about 100 ms),
// MAX_DATA (4 .. 32000, the data octets of one WRITE / READ), ADDR_W (4 .. 16: the frame buffer is
// 2^ADDR_W octets), the engine's profile parameters
// (passed through) and FPGA_STYLE (1 on the iCE40: the key ring in block RAM).
module engine_uart_bridge #(
  parameter integer CLKS_PER_BIT  = 104,
  parameter integer TIMEOUT_CLKS  = 1200000,
  parameter integer MAX_DATA      = 256,
  parameter integer ADDR_W        = 12,
  parameter integer CLEAR_LEN     = 2,
  parameter integer IND_OFFSET    = 1,
  parameter [7:0]   IND_NULL      = 8'h01,
  parameter [7:0]   IND_CIPHERED  = 8'h02,
  parameter integer MAC_TRAILER   = 0,
  parameter [31:0]  REQ_COUNT     = 32'h0,
  parameter [4:0]   REQ_BEARER    = 5'd0,
  parameter [0:0]   REQ_DIRECTION = 1'b1,
  parameter [31:0]  RSP_COUNT     = 32'h0,
  parameter [4:0]   RSP_BEARER    = 5'd0,
  parameter [0:0]   RSP_DIRECTION = 1'b0,
  parameter integer FPGA_STYLE    = 0
) (
  input  wire clk,
  input  wire rst_n,
  input  wire uart_rx,
  output wire uart_tx,
  output wire led_busy,
  output wire led_err
);
  localparam integer W       = ADDR_W;
  localparam integer LW      = ADDR_W + 4;            // the engine's cmd_len width
  localparam integer MAX_PAY = MAX_DATA + 2;
  localparam integer IW      = $clog2(MAX_PAY + 1);   // payload index / staging address
  localparam integer TW      = $clog2(TIMEOUT_CLKS + 1);
  localparam [15:0]  MAXP16  = MAX_PAY[15:0];
  localparam [15:0]  MAXD16  = MAX_DATA[15:0];
  localparam integer SW      = ((W > IW) ? W : IW) + 1;   // range-check sum width
  localparam integer AW      = (SW - 1 > 8) ? SW - 1 : 8; // a_q: frame and staging addresses
  // the timeout counter starts at TMO_INIT and fires when it is all ones: TIMEOUT_CLKS - 1
  // increments after its last clear (the carry out of the increment, no comparator)
  localparam integer TMO_SPAN_I = (1 << TW) - TIMEOUT_CLKS;
  localparam [TW:0]  TMO_SPAN = TMO_SPAN_I[TW:0];
  localparam [TW-1:0] TMO_INIT = TMO_SPAN[TW-1:0];
  localparam integer SCRUB_LAST_I = MAX_PAY - 1;
  localparam [IW-1:0] SCRUB_LAST = SCRUB_LAST_I[IW-1:0];
  localparam [AW-1:0] A5 = 5;
  localparam [IW-1:0] I2 = 2;
  localparam [15:0]  IW_MASK = ~(16'hffff << IW);
  localparam [7:0]   CNT_HI_MASK = IW_MASK[15:8];

  localparam [7:0] SYNC_REQ = 8'ha5, SYNC_RSP = 8'h5a;
  localparam [2:0] OP_PING = 3'd0, OP_WRITE = 3'd1, OP_READ = 3'd2, OP_CMD = 3'd3;   // 3'd4 RESET
  localparam [3:0] ST_OK = 4'h0, E_CRC = 4'h1, E_LEN = 4'h2, E_OP = 4'h3, E_BUSY = 4'h4,
                   E_TMO = 4'h5, E_FRM = 4'h6, E_RANGE = 4'h7, E_OCT = 4'h8, E_ABORT = 4'h9;
  localparam [1:0] K_NONE = 2'd0, K_PING = 2'd1, K_READ = 2'd2, K_CMD = 2'd3;

  // states (S_HUNT 0 and S_SCRUB 11 as engine_uart_bridge_tb expects); one transmit state
  // per part of a response (header, payload, CRC), each walking i_q
  localparam [3:0] S_HUNT = 4'd0,  S_SEQ = 4'd1,  S_OP = 4'd2,   S_LH = 4'd3,   S_LL = 4'd4,
                   S_PAY  = 4'd5,  S_CH  = 4'd6,  S_CL = 4'd7,   S_CHK = 4'd8,  S_WRD = 4'd9,
                   S_WWR  = 4'd10, S_SCRUB = 4'd11, S_RWAIT = 4'd12, S_TH = 4'd13,
                   S_TP   = 4'd14, S_TC = 4'd15;

  // ---------------------------------------------------------------- UART
  wire       rx_valid, rx_ferr;
  wire [7:0] rx_data;          // 0 but in the cycle of rx_valid (uart_rx clears it when taken)
  wire       tx_ready;
  wire [7:0] txb;              // the response octet the transmitter takes at emit
  wire       emit;

  uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_rx (
    .clk(clk), .rst_n(rst_n), .rx(uart_rx),
    .out_valid(rx_valid), .out_ready(1'b1), .out_data(rx_data), .ferr(rx_ferr));
  uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_tx (
    .clk(clk), .rst_n(rst_n), .in_valid(emit), .in_ready(tx_ready), .in_data(bus),
    .tx(uart_tx));

  // ---------------------------------------------------------------- registers
  reg [3:0]    state_q;
  reg [7:0]    seq_q, cseq_q;
  reg [2:0]    op_q;
  reg          opbad_q;
  reg [IW-1:0] ln_q;       // the request's LEN (at most MAX_PAY past S_LL: IW bits hold it)
  reg          lh_gt_q, lh_eq_q, lh_z_q;   // LEN's high octet >, == MAX_PAY's; == 0
  reg [IW-1:0] i_q;        // payload / scrub / WRITE / response octet index
  // ADDR (a_q) and COUNT / ELEN (f_q) arrive through a byte shift chain (rx -> f_q -> a_q):
  // the first 4 octets after LEN (5 for a COMMAND: ENG_OP comes first) end up as a_q, f_q
  reg [AW-1:0] a_q;        // ADDR; frame pointer; command-octet index (staging) while busy
  reg          ahi_q;      // ADDR has bits at or above ADDR_W (only the range check needs them)
  reg [15:0]   f_q;        // COUNT / ELEN; [IW-1:0] end of the command octets while busy
  reg [2:0]    eop_q;      // ENG_OP; eophi_q: ENG_OP over 7
  reg          eophi_q;
  reg          busy_q;     // a COMMAND accepted and not yet answered
  reg          go_q;       // cmd_valid
  reg          fr_q;       // the staging read register holds staging[a_q]
  reg          octerr_q;   // ERR_OCTETS to answer
  reg          abort_q;    // RESET hit a running command: ERR_ABORTED first
  reg          rstf_q;     // RESET in progress (answer OK after the clear)
  reg          boot_q;     // the clear after rst_n (no response)
  reg          dirty_q;    // the staging buffer holds something
  reg          zero_q;     // the engine's zeroize input
  reg          rspr_q;     // the engine's rsp_ready
  reg [3:0]    rst_q;      // response: status, kind, SEQ of the command
  reg [1:0]    rk_q;
  reg          rcs_q;
  reg          err_q;
  reg [31:0]   cyc_q;
  reg [TW-1:0] tmo_q;
  reg          ack_q;

  wire st_hunt = (state_q == S_HUNT),  st_seq = (state_q == S_SEQ), st_op = (state_q == S_OP),
       st_lh   = (state_q == S_LH),    st_ll  = (state_q == S_LL),  st_pay = (state_q == S_PAY),
       st_ch   = (state_q == S_CH),    st_cl  = (state_q == S_CL),  st_chk = (state_q == S_CHK),
       st_wwr  = (state_q == S_WWR),   st_scr = (state_q == S_SCRUB),
       st_rw   = (state_q == S_RWAIT), st_th  = (state_q == S_TH),  st_tp  = (state_q == S_TP),
       st_tc   = (state_q == S_TC);

  // ---------------------------------------------------------------- CRC (requests and responses)
  wire        in_frame = st_seq || st_op || st_lh || st_ll || st_pay || st_ch || st_cl;
  wire        in_tx    = st_th || st_tp || st_tc;
  wire        rx_oct   = rx_valid && in_frame;
  wire        crc_busy;
  wire [15:0] crc;
  wire        hunt_sync = rx_valid && st_hunt && (rx_data == SYNC_REQ);
  wire        tx_sync   = st_th && (i_q[2:0] == 3'd0);
  wire        tx_clast  = st_tc && i_q[0];
  // the octet on the way out or in: the response octet (0 outside the transmit states) or the
  // received one (0 but in the cycle of rx_valid, and a response octet leaves only without one)
  wire [7:0]  bus       = txb | rx_data;
  // the CRC takes a request octet as it arrives, a response octet as the transmitter takes it
  // (not SYNC; not the last CRC octet: after the high one crc[15:8] is the old crc[7:0])
  crc16_ccitt u_crc (
    .clk(clk), .rst_n(rst_n), .init(hunt_sync || (emit && tx_sync)),
    .in_valid(rx_oct || (emit && !tx_sync && !tx_clast)), .in_data(bus),
    .busy(crc_busy), .crc(crc));
  assign emit = in_tx && tx_ready && !crc_busy && !rx_valid;

  // ---------------------------------------------------------------- engine
  wire          cmd_ready, dat_ready, rsp_valid, mem_req, mem_we, mem_own;
  wire [2:0]    rsp_status;
  wire [31:0]   rsp_mac;
  wire [W-1:0]  mem_addr;
  wire [7:0]    mem_wdata;
  reg  [7:0]    fb_q, stg_q;
  wire [31:0]   f32 = {16'd0, f_q};
  wire          dat_have = (a_q[IW-1:0] != f_q[IW-1:0]);
  wire          dat_valid = busy_q && !go_q && fr_q && dat_have && !octerr_q && !zero_q;

  tag_crypto_engine #(
    .ADDR_W(W), .CLEAR_LEN(CLEAR_LEN), .IND_OFFSET(IND_OFFSET), .IND_NULL(IND_NULL),
    .IND_CIPHERED(IND_CIPHERED), .MAC_TRAILER(MAC_TRAILER),
    .REQ_COUNT(REQ_COUNT), .REQ_BEARER(REQ_BEARER), .REQ_DIRECTION(REQ_DIRECTION),
    .RSP_COUNT(RSP_COUNT), .RSP_BEARER(RSP_BEARER), .RSP_DIRECTION(RSP_DIRECTION),
    .FPGA_STYLE(FPGA_STYLE), .HAS_KDF(0)
  ) u_engine (
    .clk(clk), .rst_n(rst_n), .zeroize(zero_q),
    .cmd_valid(go_q), .cmd_ready(cmd_ready), .cmd_op(eop_q),
    .cmd_addr(a_q[W-1:0]), .cmd_len(f32[LW-1:0]),
    .dat_valid(dat_valid), .dat_ready(dat_ready), .dat_data(dat_valid ? stg_q : 8'd0),
    .rsp_valid(rsp_valid), .rsp_ready(rspr_q), .rsp_status(rsp_status), .rsp_mac(rsp_mac),
    .mem_req(mem_req), .mem_we(mem_we), .mem_addr(mem_addr), .mem_wdata(mem_wdata),
    .mem_ack(ack_q), .mem_rdata(fb_q), .mem_own(mem_own),
    /* verilator lint_off PINCONNECTEMPTY */  // no key store: ltk_idx unused (HAS_KDF 0)
    .ltk_idx(),
    /* verilator lint_on PINCONNECTEMPTY */
    .ltk_data(8'd0), .ltk_len32(1'b0));

  // ---------------------------------------------------------------- frame buffer (engine while it owns it)
  // no_rw_check: no read in the cycle of a write to the same address is ever used (engine: its
  // reads are acknowledged in the cycles between write acks; bridge: WRITE writes, READ reads),
  // so yosys maps the buffers to block RAM without transparency logic around them
  (* no_rw_check *) reg [7:0] fb [0:(1<<W)-1];
  wire         fb_wr = (state_q == S_WWR);
  wire [W-1:0] fb_a  = mem_own ? mem_addr : a_q[W-1:0];
  wire         fb_we = mem_own ? (mem_we && ack_q) : fb_wr;
  wire [7:0]   fb_d  = mem_own ? mem_wdata : stg_q;
  always @(posedge clk) begin
    if (fb_we) fb[fb_a] <= fb_d;
    fb_q <= fb[fb_a];
  end

  // ---------------------------------------------------------------- staging buffer
  // written with rx_data only: a payload octet, or 0 (the clear writes in the cycles without an
  // octet, when uart_rx holds rx_data at 0)
  (* no_rw_check *) reg [7:0] stg [0:(1<<IW)-1];
  wire          stg_pay  = rx_valid && (state_q == S_PAY) && !busy_q;
  wire          stg_clr  = (state_q == S_SCRUB) && !rx_valid;
  wire          stg_we   = stg_pay || stg_clr;
  wire [IW-1:0] stg_ra   = busy_q ? a_q[IW-1:0] : i_q;
  always @(posedge clk) begin
    if (stg_we) stg[i_q] <= rx_data;
    stg_q <= stg[stg_ra];
  end

  // ---------------------------------------------------------------- checks of a whole frame
  // x > c for a constant c as plain logic (no carry chain): from the lsb up,
  // g = (x[b:0] > c[b:0]) = c[b] ? x[b] && g : x[b] || g
  function gt16(input [15:0] x, input [15:0] c);
    integer b;
    reg g;
    begin
      g = 1'b0;
      for (b = 0; b < 16; b = b + 1) g = c[b] ? (x[b] & g) : (x[b] | g);
      gt16 = g;
    end
  endfunction
  function gt8(input [7:0] x, input [7:0] c);
    begin
      gt8 = gt16({8'd0, x}, {8'd0, c});
    end
  endfunction
  // LEN is at most MAX_PAY here (checked after the LEN field): its low IW bits are all of it
  wire [IW-1:0] ln    = ln_q;
  wire [15:0]   ln16  = {{(16-IW){1'b0}}, ln_q};
  // LEN's octets as they arrive, 16 bits wide whatever IW is (only IW of them are kept)
  /* verilator lint_off UNUSEDSIGNAL */
  wire [15:0]   ln_lh = {rx_data, ln16[7:0]};
  wire [15:0]   ln_ll = {ln16[15:8], rx_data};
  /* verilator lint_on UNUSEDSIGNAL */
  wire        crc_ok  = (crc == 16'd0);
  wire        len0    = (ln == {IW{1'b0}});
  wire        lhi2    = (ln >> 2) == {IW{1'b0}};
  wire        lhi3    = (ln >> 3) == {IW{1'b0}};
  reg         len_bad;
  always @(*) begin
    case (op_q)
      OP_WRITE: len_bad = lhi2 && (ln[1:0] != 2'd3);                    // LEN < 3
      OP_READ:  len_bad = !(lhi3 && ln[2] && (ln[1:0] == 2'd0));        // LEN != 4
      OP_CMD:   len_bad = lhi3 && (!ln[2] || (ln[1:0] == 2'd0));        // LEN < 5
      default:  len_bad = !len0;                                        // PING, RESET
    endcase
  end
  wire        fb_op    = (op_q == OP_WRITE) || (op_q == OP_READ) || (op_q == OP_CMD);
  wire        eng_busy = busy_q || mem_own || zero_q;
  // WRITE: ADDR + (LEN - 2) <= 2^ADDR_W; READ: ADDR + COUNT <= 2^ADDR_W, COUNT 1 .. MAX_DATA
  wire [SW-1:0] r_a   = {{(SW-W){1'b0}}, a_q[W-1:0]};
  // f_q holds COUNT (READ) or, from the frame's last octet on, LEN (WRITE: see f_len)
  wire [SW-1:0] r_b   = {{(SW-IW){1'b0}}, f_q[IW-1:0]};
  wire [SW-1:0] r_sum = r_a + r_b;                   // below 2^SW: no carry out
  wire [SW-1:0] s_hi  = r_sum >> W;
  wire [SW-1:0] s_lo  = r_sum & ~({SW{1'b1}} << W);  // r_sum mod 2^W
  // r_sum > 2^W (READ), > 2^W + 2 (WRITE)
  wire          s_gt  = ((s_hi >> 1) != {SW{1'b0}}) ||
                        (s_hi[0] && ((op_q == OP_WRITE) ? (((s_lo >> 2) != {SW{1'b0}}) || (s_lo[1:0] == 2'd3))
                                                        : (s_lo != {SW{1'b0}})));
  wire        a_hi    = ahi_q;
  wire        cnt_bad = (f_q == 16'd0) || gt16(f_q, MAXD16);
  wire        cmd_bad = eophi_q || a_hi || ((f32 >> LW) != 32'd0);
  wire        range_bad = (op_q == OP_CMD) ? cmd_bad :
                          (a_hi || s_gt || ((op_q == OP_READ) && cnt_bad));

  // registered: the fields are stable for at least 8 cycles (the CRC's) before S_CHK uses them
  reg         len_bad_q, range_bad_q;
  always @(posedge clk) begin
    len_bad_q   <= len_bad;
    range_bad_q <= range_bad;
  end

  // ---------------------------------------------------------------- response octets
  // S_TH, i_q 0 .. 4: 5A, SEQ, STATUS, LEN (2); S_TP, i_q 0 .. LEN-1: payload; S_TC: CRC (2)
  wire        k_read = (rk_q == K_READ);
  wire [3:0]  k      = i_q[3:0];
  reg  [7:0]  ping_oct;
  always @(*) begin
    case (k[2:0])
      3'd0: ping_oct = 8'h41;  3'd1: ping_oct = 8'h49;  3'd2: ping_oct = 8'h4f;
      3'd3: ping_oct = 8'h54;  3'd4: ping_oct = 8'h01;  3'd5: ping_oct = W[7:0];
      3'd6: ping_oct = MAXD16[15:8];
      default: ping_oct = MAXD16[7:0];
    endcase
  end
  // COMMAND k = 0 status, 1 .. 4 MAC, 5 .. 8 CYCLES (most significant first)
  wire [7:0]  c_lo   = k[1] ? (k[0] ? rsp_mac[15:8] : rsp_mac[23:16])
                            : (k[0] ? rsp_mac[31:24] : {5'd0, rsp_status});
  wire [7:0]  c_hi   = k[1] ? (k[0] ? cyc_q[15:8] : cyc_q[23:16])
                            : (k[0] ? cyc_q[31:24] : rsp_mac[7:0]);
  wire [7:0]  cmd_oct = k[3] ? cyc_q[7:0] : (k[2] ? c_hi : c_lo);
  // an answered READ's COUNT is at most MAX_DATA < 2^IW: its bits from IW on are 0
  wire [7:0]  cnt_hi  = f_q[15:8] & CNT_HI_MASK;
  reg  [7:0]  hdr_oct, txb_r;
  always @(*) begin
    case (i_q[2:0])
      3'd0:    hdr_oct = SYNC_RSP;
      3'd1:    hdr_oct = rcs_q ? cseq_q : seq_q;
      3'd2:    hdr_oct = {4'd0, rst_q};
      3'd3:    hdr_oct = k_read ? cnt_hi : 8'd0;
      default: hdr_oct = k_read ? f_q[7:0] : {4'd0, rk_q[0], 2'd0, rk_q[0] & rk_q[1]};   // 8, 9
    endcase
  end
  always @(*) begin
    case (state_q)
      S_TH:    txb_r = hdr_oct;
      S_TP:    txb_r = rk_q[1] ? (rk_q[0] ? cmd_oct : fb_q) : ping_oct;
      S_TC:    txb_r = crc[15:8];                   // both CRC octets, see the CRC
      default: txb_r = 8'd0;
    endcase
  end
  assign txb = txb_r;
  // the last payload octet: READ COUNT, PING 8, COMMAND 9
  wire [IW-1:0] i_nx   = i_q + 1'b1;
  wire        eq_len   = (i_nx == ln);
  wire        tp_last  = k_read ? (i_nx == f_q[IW-1:0]) :
                         (rk_q[1] ? (k == 4'd8) : (k == 4'd7));

  // the verdict on a whole frame, in the protocol's order: CRC, OP, LEN for OP, busy, range
  wire [3:0]  chk_st = !crc_ok ? E_CRC : opbad_q ? E_OP : len_bad_q ? E_LEN :
                       (fb_op && eng_busy) ? E_BUSY : (fb_op && range_bad_q) ? E_RANGE : ST_OK;

  wire cmd_hs = go_q && cmd_ready;
  wire dat_hs = dat_valid && dat_ready;
  // the timeout counter: all ones = TIMEOUT_CLKS - 1 cycles after its clear
  wire [TW:0] tmo_nx = {1'b0, tmo_q} + 1'b1;
  wire        tmo_fire = tmo_nx[TW];

  // CYCLES: 0 while no command runs (a plain clear, so the counter is one LUT and carry per
  // bit); counts the handshake cycle (-> 1) and every cycle up to the engine's response
  always @(posedge clk) begin
    if (!rst_n || !busy_q) cyc_q <= 32'd0;
    else if ((!go_q || cmd_ready) && !rsp_valid && !octerr_q) cyc_q <= cyc_q + 1'b1;
  end
  // frame timeout (inside a frame)
  always @(posedge clk) begin
    if (!rst_n || !in_frame || rx_valid) tmo_q <= TMO_INIT;
    else tmo_q <= tmo_nx[TW-1:0];
  end

  // ---------------------------------------------------------------- control strobes
  // Every register below has a few named load conditions (the FSM's decisions, computed once
  // here) instead of assignments spread over the states: the muxes in front of the registers
  // stay as narrow as the sources they really have.
  wire len_big  = lh_gt_q || (lh_eq_q && gt8(rx_data, MAXP16[7:0]));
  wire len_zero = lh_z_q && (rx_data == 8'd0);
  wire octdet   = busy_q && !go_q && !dat_have && dat_ready && !octerr_q && !zero_q;
  wire frm_end  = in_frame && (rx_ferr || (!rx_valid && tmo_fire));   // ERR_FRAMING / ERR_TIMEOUT
  wire r_len    = st_ll && rx_valid && len_big;                        // ERR_LEN after LEN
  wire r_oct    = st_hunt && !hunt_sync && busy_q && octerr_q;          // ERR_OCTETS (command's SEQ)
  wire r_cmd    = st_hunt && !hunt_sync && busy_q && !octerr_q && !go_q && rsp_valid;
  wire chk_go   = st_chk && !crc_busy;
  wire chk_rsp  = (chk_st != ST_OK) || (op_q == OP_PING) || (op_q == OP_READ);
  wire r_chk    = chk_go && chk_rsp;
  wire c_wr     = chk_go && !chk_rsp && (op_q == OP_WRITE);
  wire c_cmd    = chk_go && !chk_rsp && (op_q == OP_CMD);
  wire c_rst    = chk_go && !chk_rsp && (op_q[2] || (op_q[1:0] == 2'd0));   // RESET (4)
  wire r_wr     = st_wwr && eq_len;                                     // WRITE done: OK
  wire r_cs     = r_oct || r_cmd;                                       // answers the command
  wire respond  = frm_end || r_len || r_oct || r_cmd || r_chk || r_wr;
  wire scr_end  = st_scr && !rx_valid && (i_q == SCRUB_LAST);
  wire rw_go    = st_rw && !zero_q && cmd_ready;
  wire th_end   = st_th && emit && i_q[2];
  wire tp_end   = st_tp && emit && tp_last;
  wire tc_end   = st_tc && emit && i_q[0];                              // the response is out
  wire again    = tc_end && rstf_q && abort_q;                          // OK of RESET after ERR_ABORTED
  // the next response: its status, kind and whose SEQ
  wire rsp_set  = respond || (rw_go && !boot_q) || again;
  reg  [3:0] rst_d;
  always @(*) begin
    if (frm_end)      rst_d = rx_ferr ? E_FRM : E_TMO;
    else if (r_len)   rst_d = E_LEN;
    else if (r_oct)   rst_d = E_OCT;
    else if (r_chk)   rst_d = chk_st;
    else if (rw_go)   rst_d = abort_q ? E_ABORT : ST_OK;
    else              rst_d = ST_OK;                                   // r_cmd, r_wr, again
  end
  wire [1:0] rk_d  = r_cmd ? K_CMD : (r_chk && chk_st == ST_OK) ? ((op_q == OP_READ) ? K_READ : K_PING)
                                                               : K_NONE;
  wire       rcs_d = r_cs || (rw_go && abort_q);
  // a response clears the staging buffer first when it holds anything no running command needs
  wire [3:0] rsp_to = (dirty_q && (!busy_q || r_cs)) ? S_SCRUB : S_TH;

  // the shift chain rx -> f_q -> a_q takes payload and CRC octets up to the 4th (5th: COMMAND)
  wire chain = rx_valid && !busy_q && (st_pay || st_ch || st_cl) &&
               ((i_q >> 3) == {IW{1'b0}}) && (!i_q[2] || ((op_q == OP_CMD) && (i_q[1:0] == 2'd0)));
  wire stage = rx_valid && st_pay && !busy_q;                          // a payload octet stored
  // a WRITE's LEN into f_q at its last octet, for the range check (f_q holds junk of the chain
  // for a WRITE; not while a command runs: then f_q is the end of its octets)
  wire f_len = rx_valid && st_cl && !busy_q && (op_q == OP_WRITE);

  // ---------------------------------------------------------------- state
  always @(posedge clk) begin
    if (!rst_n) state_q <= S_SCRUB;
    else if (respond) state_q <= rsp_to;
    else case (state_q)
      S_HUNT:  if (hunt_sync) state_q <= S_SEQ;
      S_SEQ:   if (rx_valid) state_q <= S_OP;
      S_OP:    if (rx_valid) state_q <= S_LH;
      S_LH:    if (rx_valid) state_q <= S_LL;
      S_LL:    if (rx_valid) state_q <= len_zero ? S_CH : S_PAY;
      S_PAY:   if (rx_valid && eq_len) state_q <= S_CH;
      S_CH:    if (rx_valid) state_q <= S_CL;
      S_CL:    if (rx_valid) state_q <= S_CHK;
      S_CHK:   if (c_wr) state_q <= S_WRD; else if (c_cmd) state_q <= S_HUNT;
               else if (c_rst) state_q <= S_SCRUB;
      S_WRD:   state_q <= S_WWR;
      S_WWR:   state_q <= S_WRD;
      S_SCRUB: if (scr_end) state_q <= (rstf_q || boot_q) ? S_RWAIT : S_TH;
      S_RWAIT: if (rw_go) state_q <= boot_q ? S_HUNT : S_TH;
      S_TH:    if (th_end) state_q <= (rk_q == K_NONE) ? S_TC : S_TP;
      S_TP:    if (tp_end) state_q <= S_TC;
      default: if (tc_end) state_q <= again ? S_TH : S_HUNT;       // S_TC
    endcase
  end

  // ---------------------------------------------------------------- datapath registers
  wire i_clr = hunt_sync || respond || c_rst || scr_end || th_end || tp_end || tc_end;
  wire i_inc = (rx_valid && (st_pay || st_ch)) || st_wwr || (st_scr && !rx_valid) || emit;
  wire a_clr = c_rst;
  wire a_inc = dat_hs || st_wwr || (st_tp && emit && k_read);
  wire [AW-1:0] a_inc_v = a_q + 1'b1;
  // ADDR through the chain: a_q takes {a_q[7:0], f_q[15:8]}; what does not fit is only a flag
  wire [15:0]   a_sh    = {a_q[7:0], f_q[15:8]};
  always @(posedge clk) begin
    // indexes and pointers
    if (!rst_n || i_clr) i_q <= {IW{1'b0}};
    else if (c_wr) i_q <= I2;
    else if (i_inc) i_q <= i_nx;
    if (!rst_n || a_clr) a_q <= {AW{1'b0}};
    else if (cmd_hs) a_q <= A5;
    else if (chain) a_q <= a_sh[AW-1:0];
    else if (a_inc) a_q <= a_inc_v;
    if (!rst_n || a_clr) ahi_q <= 1'b0;
    else if (chain) ahi_q <= ((a_sh >> W) != 16'd0);
    if (!rst_n || a_clr) f_q <= 16'd0;
    else if (chain) f_q <= {f_q[7:0], rx_data};
    else if (cmd_hs || f_len) f_q[IW-1:0] <= ln;
    // request fields
    if (!rst_n || hunt_sync) seq_q <= 8'd0;
    else if (st_seq && rx_valid) seq_q <= rx_data;
    if (!rst_n) cseq_q <= 8'd0;
    else if (c_cmd) cseq_q <= seq_q;
    if (!rst_n || c_rst) begin op_q <= 3'd0; opbad_q <= 1'b0; end
    else if (st_op && rx_valid) begin op_q <= rx_data[2:0]; opbad_q <= gt8(rx_data, 8'd4); end
    if (!rst_n || c_rst) ln_q <= {IW{1'b0}};
    else if (st_lh && rx_valid) ln_q <= ln_lh[IW-1:0];
    else if (st_ll && rx_valid) ln_q <= ln_ll[IW-1:0];
    if (st_lh && rx_valid) begin
      lh_gt_q <= gt8(rx_data, MAXP16[15:8]); lh_eq_q <= (rx_data == MAXP16[15:8]);
      lh_z_q <= (rx_data == 8'd0);
    end
    if (!rst_n || c_rst) begin eop_q <= 3'd0; eophi_q <= 1'b0; end
    else if (stage && (op_q == OP_CMD) && (i_q == {IW{1'b0}})) begin
      eop_q <= rx_data[2:0]; eophi_q <= (rx_data[7:3] != 5'd0);
    end
    // the response
    if (!rst_n) begin rst_q <= ST_OK; rk_q <= K_NONE; rcs_q <= 1'b0; end
    else if (rsp_set) begin rst_q <= rst_d; rk_q <= rk_d; rcs_q <= rcs_d; end
  end

  // ---------------------------------------------------------------- flags
  always @(posedge clk) begin
    if (!rst_n) begin
      busy_q <= 1'b0; go_q <= 1'b0; fr_q <= 1'b0; octerr_q <= 1'b0; abort_q <= 1'b0;
      rstf_q <= 1'b0; boot_q <= 1'b1; dirty_q <= 1'b1; zero_q <= 1'b0; rspr_q <= 1'b0;
      err_q <= 1'b0; ack_q <= 1'b0;
    end else begin
      zero_q <= c_rst || octdet;
      rspr_q <= tc_end && (rk_q == K_CMD);
      ack_q  <= mem_req && !ack_q && !zero_q;
      fr_q   <= !(dat_hs || cmd_hs);
      if (c_cmd) busy_q <= 1'b1;
      else if (c_rst || (tc_end && rcs_q && !rstf_q)) busy_q <= 1'b0;
      if (c_cmd) go_q <= 1'b1;
      else if (c_rst || cmd_hs) go_q <= 1'b0;
      if (c_rst || (tc_end && rcs_q && !rstf_q)) octerr_q <= 1'b0;
      else if (octdet) octerr_q <= 1'b1;
      if (c_rst) abort_q <= busy_q;
      else if (again) abort_q <= 1'b0;
      if (c_rst) rstf_q <= 1'b1;
      else if (tc_end && !again) rstf_q <= 1'b0;
      if (rw_go) boot_q <= 1'b0;
      if (stage || c_rst) dirty_q <= 1'b1;
      else if (scr_end) dirty_q <= 1'b0;
      if (tc_end) err_q <= (rst_q != ST_OK);
    end
  end

  assign led_busy = busy_q;
  assign led_err  = err_q;
endmodule
